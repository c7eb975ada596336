import { fnv1a32 } from '../util/hash.js';
import { mulberry32 } from '../util/prng.js';
import type { Embedder } from './embedder.js';

/**
 * A deterministic stand-in for an embedding model, FOR BENCHMARKS AND TESTS ONLY.
 *
 * Each text maps to a pseudo-random unit vector seeded by a hash of its UTF-8 bytes (FNV-1a,
 * 32-bit, then the mulberry32 generator). The same text gives the same vector in every run, on
 * every platform: only integer arithmetic, additions and one `Math.sqrt` (exactly rounded by
 * IEEE 754) are involved, no transcendental functions. Documents and queries are embedded alike.
 *
 * What it is for: timing the dense path (ingestion, the vector store, hybrid fusion, start-up with
 * vectors) at corpus sizes where a real model would take hours to embed; `EMBEDDING_MODEL=fake:384`
 * selects it through `loadEmbedder`. What it is not: a model. The vectors carry no meaning, so
 * texts that say the same thing are unrelated and retrieval with it is meaningless: never judge
 * answer or ranking quality with it.
 *
 * @example
 * const embedder = createFakeEmbedder(384); // id "fake:384"
 * const [a] = await embedder.embedDocuments(['graph neural networks']);
 */
export function createFakeEmbedder(dim: number): Embedder {
  if (!Number.isInteger(dim) || dim < 1 || dim > MAX_FAKE_DIM) {
    throw new RangeError(`fake embedder: dimension must be an integer from 1 to ${MAX_FAKE_DIM}, got ${dim}`);
  }
  const embed = (text: string) => fakeVector(text, dim);
  return {
    id: `fake:${dim}`,
    dim,
    embedDocuments: async (texts) => texts.map(embed),
    embedQuery: async (text) => embed(text),
  };
}

/** The largest dimension `createFakeEmbedder` accepts (real sentence models use 384 to 4096). */
export const MAX_FAKE_DIM = 16_384;

/** The model ids that select the fake embedder: `fake:<dim>`, e.g. `fake:384`. */
export const FAKE_MODEL_PATTERN = /^fake:(\d+)$/;

/**
 * The unit vector of `text`: each component the sum of three uniform numbers in [-0.5, 0.5)
 * (bell-shaped, so directions spread over the sphere far more evenly than a cube's corners would),
 * then L2-normalized.
 */
function fakeVector(text: string, dim: number): number[] {
  const next = mulberry32(fnv1a32(text));
  const vector = new Array<number>(dim);
  let sumSquares = 0;
  for (let i = 0; i < dim; i++) {
    const x = next() + next() + next() - 1.5;
    vector[i] = x;
    sumSquares += x * x;
  }
  // All components zero would need 3 * dim draws of exactly 0.5 in a row: not a concern, but never divide by 0.
  const norm = Math.sqrt(sumSquares) || 1;
  for (let i = 0; i < dim; i++) vector[i] = vector[i]! / norm;
  return vector;
}
