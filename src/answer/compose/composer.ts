import type { Paper } from '../../corpus/schema.js';
import type { ChatMessage, ChatResult, Citation, Source, Unsupported } from '../../protocol/chat.js';
import type { QuestionIntent } from '../../question/intent.js';

/** What a composer writes an answer from: the conversation, the question read, the numbered sources. */
export interface ComposeInput {
  messages: readonly ChatMessage[];
  /** What is asked: the question, or for "what about X?" the earlier question carried over to X. */
  question: string;
  intent: QuestionIntent;
  /** The numbered sources, best first: `sources[i]` is cited as `[i + 1]`. */
  sources: readonly Paper[];
  /** Relevance of each source relative to the best one (1 for the best), aligned with `sources`. */
  relative: readonly number[];
}

/** A composer's outcome: an answer with validated citations, or "the sources do not answer this". */
export type Composition =
  | {
      kind: 'answer';
      answer: string;
      citations: Citation[];
      removedMarkers: number[];
      mode: ChatResult['mode'];
      fallback?: string;
      /** Claims the cited abstracts do not bear out, and the share that held (see `withEvidence`). */
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
