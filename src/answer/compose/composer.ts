import type { Budget } from '../llm.js';
import type { Paper } from '../../corpus/schema.js';
import type { ChatResult, Citation, Source, Unsupported } from '../../protocol/chat.js';
import type { Decision } from '../../support/decide.js';

/** A decision to answer (support/decide.ts): the papers to answer from, with their passages. */
export type AnswerDecision = Extract<Decision, { kind: 'answer' }>;

/** What a composer writes an answer from. */
export interface ComposeInput {
  /** The question as the user asked it (any language). */
  question: string;
  /** The question as searched and analyzed: English, standalone (a follow-up condensed). */
  query: string;
  /** Whether the user asked in English; otherwise the answer says the collection is English, or an LLM translates. */
  english: boolean;
  decision: AnswerDecision;
  /** The numbered sources, as the `sources` event gave them: `sources[i]` is cited as `[i + 1]`. */
  sources: readonly Paper[];
  /** The answer's one LLM budget, of which a rewrite call may already have spent part. Defaults to a fresh budget of `LLM_DEADLINE_MS`. */
  budget?: Budget;
}

/** A composer's outcome: an answer with validated citations, or "the sources do not answer this". */
export type Composition =
  | {
      kind: 'answer';
      answer: string;
      citations: Citation[];
      mode: ChatResult['mode'];
      fallback?: string;
      /** Markers the writer used that pointed to no source; they were removed. */
      removedMarkers?: number[];
      /** Claims the cited abstracts do not bear out, and the share of claims that held. */
      unsupported?: Unsupported[];
      verified?: number;
    }
  | { kind: 'not-covered'; mode: ChatResult['mode'] };

/**
 * Writes an answer over numbered sources: yields text deltas as they are written and returns the
 * finished composition. Throws when it cannot produce a usable answer (see `withFallback`).
 */
export interface Composer {
  readonly mode: ChatResult['mode'];
  compose(input: ComposeInput, signal?: AbortSignal): AsyncGenerator<string, Composition>;
}

/** The sources as numbered for the prompt, the `sources` event and marker validation. */
export const numbered = (papers: readonly Paper[]): Source[] => papers.map((p, i) => ({ n: i + 1, id: p.id, title: p.title }));

/** How an answer names a paper: the name before a title's colon when it is short ("MUVERA"), else the title. */
export function paperName(title: string): string {
  const head = title.split(':')[0]!.trim();
  return head !== title && head.split(/\s+/).length <= 3 ? head : title;
}
