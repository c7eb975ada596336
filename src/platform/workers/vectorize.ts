import type { DenseHit, VectorSearcher } from '../../retrieval/retriever.js';
import { byScoreThenId } from '../../util/compare.js';
import type { VectorizeLike } from './bindings.js';

/** Vectorize answers at most this many matches when no values or metadata are returned. */
export const VECTORIZE_MAX_TOP_K = 100;

/**
 * Dense retrieval from a Vectorize index (cosine metric, loaded by `npm run deploy:data`): the
 * `VectorSearcher` the Worker fuses with D1's or the bundled lexical list.
 */
export class VectorizeSearcher implements VectorSearcher {
  constructor(private readonly index: VectorizeLike) {}

  async query(vector: number[], k: number): Promise<DenseHit[]> {
    if (!(k >= 1)) return [];
    const { matches } = await this.index.query(vector, { topK: Math.min(k, VECTORIZE_MAX_TOP_K), returnValues: false, returnMetadata: 'none' });
    // Best first, ties by id (as the local store orders them).
    return matches.map((m) => ({ id: m.id, score: m.score })).sort(byScoreThenId);
  }
}
