import type { Config } from '../../config.js';
import type { Embedder } from '../../retrieval/embedder.js';
import type { AiLike, VectorizeLike } from './bindings.js';
import { VectorizeSearcher } from './vectorize.js';
import { sameSpace, workersAiEmbedder } from './workers-ai-embedder.js';

/**
 * Dense retrieval on Workers: questions embedded by Workers AI (WORKERS_AI_EMBEDDING_MODEL), the
 * nearest papers from Vectorize; on when both bindings exist and embed in the index's space, else
 * the reason it is off.
 */
export function denseRetrieval(
  env: { VECTORS?: VectorizeLike; AI?: AiLike },
  config: Pick<Config, 'WORKERS_AI_EMBEDDING_MODEL'>,
  index: { id: string; dim: number } | null,
): { dense: { embedder: Embedder; store: VectorizeSearcher } | null; unavailable?: string } {
  if (!env.VECTORS || !env.AI) return { dense: null, unavailable: 'dense retrieval needs the Vectorize (VECTORS) and Workers AI (AI) bindings; search is lexical (BM25)' };
  if (!index) return { dense: null, unavailable: 'the index has no vectors (it was ingested without an embedding model); search is lexical (BM25)' };
  const embedder = workersAiEmbedder(env.AI, config.WORKERS_AI_EMBEDDING_MODEL, index.dim);
  const mismatch = sameSpace(index.id, embedder);
  if (mismatch) return { dense: null, unavailable: mismatch };
  return { dense: { embedder, store: new VectorizeSearcher(env.VECTORS) } };
}
