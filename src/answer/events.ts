import type { Paper } from '../corpus/schema.js';
import type { Abstention, ChatResult } from '../protocol/chat.js';
import type { Decision } from '../support/decide.js';
import { paperName } from './compose/composer.js';

/** The abstention text when no paper answers; the closest papers go in `related`, so clients can show them as links. */
export const NOT_COVERED_MESSAGE = "I couldn't find an answer to this in the paper collection: no abstract here addresses it, so I won't guess.";

/** The answer to a question about nothing in the collection: no citations, the near misses as `related`. */
export function notCoveredResult(related: readonly Paper[], mode: ChatResult['mode']): ChatResult {
  return {
    answer: NOT_COVERED_MESSAGE,
    citations: [],
    abstained: true,
    mode,
    related: related.map(({ id, title }) => ({ id, title })),
    abstention: { kind: 'not_covered' },
  };
}

/** A refusal (a request that is not a question about the papers), as a result. */
export function refusedResult(message: string): ChatResult {
  return { answer: message, citations: [], abstained: true, mode: 'extractive', abstention: { kind: 'refused' } };
}

/**
 * The honest partial answer to a question about a paper whose abstract does not answer it: what
 * is not stated (or not what the paper says), and what it does say, quoted and cited as [1].
 */
export function unansweredResult(d: Extract<Decision, { kind: 'not_stated' | 'false_premise' }>, mode: ChatResult['mode']): ChatResult {
  const name = paperName(d.paper.title);
  const quote = d.closest.text;
  const said = quote ? ` What it says closest to your question: "${quote}" [1]` : '';
  const answer =
    d.kind === 'not_stated'
      ? `The abstract of ${name} [1] does not state ${d.missing}, and I can only answer from the abstracts in this collection (the full paper may have it).${said}`
      : `${name} [1] does not say anything about ${d.missing}, which your question assumes; I can only go by its abstract.${said}`;
  const abstention: Abstention = { kind: d.kind, paper: { id: d.paper.id, title: d.paper.title }, missing: d.missing, ...(quote ? { quote: d.closest } : {}) };
  return {
    answer,
    citations: [{ n: 1, id: d.paper.id, title: d.paper.title, ...(quote ? { quote: d.closest } : {}) }],
    abstained: true,
    mode,
    abstention,
  };
}
