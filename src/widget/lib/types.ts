/** The wire shapes of the HTTP API (see DESIGN.md), as the browser sees them. */

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** A candidate source, numbered as it was offered to the answerer (the `sources` event). */
export interface Source {
  n: number;
  id: string;
  title: string;
  snippet?: string;
}

/** A cited paper: `[n]` in the final answer refers to it. */
export interface Citation {
  n: number;
  id: string;
  title: string;
}

export interface RelatedPaper {
  id: string;
  title: string;
}

/** The `done` event (and the non-streaming body). */
export interface ChatResult {
  answer: string;
  citations: Citation[];
  abstained: boolean;
  mode: 'llm' | 'extractive';
  fallback?: string;
  related?: RelatedPaper[];
}

export interface Paper {
  id: string;
  title: string;
  abstract: string;
  url?: string;
  authors?: string[];
  year?: number;
}
