import type { Paper } from '../corpus/schema.js';
import type { ChatEvent, ChatResult } from '../protocol/chat.js';
import { pieces } from './compose/extractive.js';
import { suggestFromRelated } from './suggestions.js';

/** The abstention text; the closest papers go in `related`, so clients can show them as links. */
export const NOT_COVERED_MESSAGE = "I couldn't find an answer to this in the paper collection: no abstract here addresses it, so I won't guess.";

/** A finished result as events: its text in pieces, then `done`. */
function* streamed(result: ChatResult): Generator<ChatEvent> {
  for (const piece of pieces(result.answer)) yield { type: 'delta', text: piece };
  yield { type: 'done', result };
}

/**
 * An abstention as events: no sources offered as support (unless they were already sent), the
 * message, and the near misses as `related`.
 */
export function* abstention(message: string, related: readonly Paper[], mode: ChatResult['mode'], withSources = true): Generator<ChatEvent> {
  if (withSources) yield { type: 'sources', sources: [] };
  const suggestions = suggestFromRelated(related);
  yield* streamed({ answer: message, citations: [], abstained: true, mode, related: related.map(({ id, title }) => ({ id, title })), ...(suggestions.length ? { suggestions } : {}) });
}

/** The abstention for an asked measure or fact (authors, year, code) that the best paper does not state. */
export const notStatedMessage = (paper: Paper, names: readonly string[]) =>
  `The abstract of "${paper.title}" does not state the ${names.join(' or ')}, and I can only answer from the abstracts in this collection. The full paper may have it.`;

/** The abstention for "which paper introduced X?" when the closest papers only use or cite X. */
export const NOT_INTRODUCED_MESSAGE =
  "None of the papers in this collection introduces what you asked about; the closest ones below mention it or build on it, so I won't present one of them as the original.";
