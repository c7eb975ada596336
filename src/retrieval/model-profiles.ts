/** What the runtimes need to know of an embedding model, without loading one (no transformers.js here). */

export const BGE_QUERY_PREFIX = 'Represent this sentence for searching relevant passages: ';

/** How a model turns token vectors into a sentence vector, and what it prepends to queries. */
export interface ModelProfile {
  pooling: 'cls' | 'mean';
  queryPrefix: string;
}

/**
 * Models whose pooling and query instruction are known from their model cards (and checked against
 * the reference implementation by test/retrieval/model-equivalence.test.ts). `npm run models` builds these.
 */
export const MODEL_PROFILES: Readonly<Record<string, ModelProfile>> = {
  // BAAI/bge-small-en-v1.5: [CLS] pooling; queries (not passages) carry the retrieval instruction.
  'Xenova/bge-small-en-v1.5': { pooling: 'cls', queryPrefix: BGE_QUERY_PREFIX },
  // sentence-transformers/all-MiniLM-L6-v2: mean pooling over the attention mask, no instruction.
  'Xenova/all-MiniLM-L6-v2': { pooling: 'mean', queryPrefix: '' },
};

/** The profile of a known model; for another id, a guess from its name (BGE: cls + instruction, else mean). */
export function modelProfile(model: string): ModelProfile & { known: boolean } {
  const known = MODEL_PROFILES[model];
  if (known) return { ...known, known: true };
  const isBge = /bge/i.test(model);
  return { pooling: isBge ? 'cls' : 'mean', queryPrefix: isBge ? BGE_QUERY_PREFIX : '', known: false };
}
