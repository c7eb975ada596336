/**
 * The wire shapes of the HTTP API, as the browser sees them: types only, from the one contract in
 * src/protocol (esbuild drops these imports, so no schema code reaches the bundle).
 */
export type { ChatMessage, ChatResult, Citation, Quote, Source } from '../../protocol/chat.js';

export interface RelatedPaper {
  id: string;
  title: string;
}

/** `GET /api/papers/:id`. */
export interface Paper {
  id: string;
  title: string;
  abstract: string;
  url?: string;
  authors?: string[];
  year?: number;
}
