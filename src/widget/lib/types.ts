/**
 * The wire shapes of the HTTP API, as the browser sees them: types only, from the one contract in
 * src/protocol (esbuild drops these imports, so no schema code reaches the bundle).
 */
export type { Abstention, ChatMessage, ChatResult, Citation, Quote, Source } from '../../protocol/chat.js';
export type { CiteFormat, Paper } from '../../protocol/papers.js';
export type { FeedbackRequest, FeedbackResponse, Vote } from '../../protocol/feedback.js';
export type { Health } from '../../protocol/health.js';

import type { Quote } from '../../protocol/chat.js';

/** A paper to show: from a chip, a source row or a related paper. */
export interface PaperRef {
  id: string;
  title: string;
  n?: number;
  /** The sentence(s) of its abstract the answer rests on, highlighted when the abstract shows. */
  quote?: Quote;
  /** Offered when the paper is shown as a citation of an answer that takes feedback: "this citation is wrong". */
  report?: CitationReport;
}

/** The "wrong citation" control for one cited paper of one answer. */
export interface CitationReport {
  /** Whether the reader already marked it. */
  readonly reported: boolean;
  /** Sends the feedback; resolves when the server took it, rejects with a ChatError. */
  send(): Promise<void>;
}
