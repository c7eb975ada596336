/**
 * Turns text into unit-length vectors. Documents and queries are embedded differently where the
 * model asks for it (BGE models prefix retrieval queries with an instruction).
 */
export interface Embedder {
  /** Identifies the vector space: model id plus pooling and prefix, recorded in the index manifest. */
  readonly id: string;
  readonly dim: number;
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}

/** Either a working embedder, or the reason there is none (reported once, on /health). */
export type EmbedderStatus = { embedder: Embedder; error?: undefined } | { embedder: null; error: string };
