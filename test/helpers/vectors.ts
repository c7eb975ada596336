import type { VectorHit } from '../../src/platform/node/vector-store.js';
import { byScoreThenId } from '../../src/util/compare.js';

export function unitVector(dim: number, rand: () => number): number[] {
  const v = Array.from({ length: dim }, () => rand() * 2 - 1);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
}

/** Exact cosine top-k over plain number arrays: every score, one full sort, ties by id. */
export function bruteForce(items: { id: string; vector: number[] }[], query: number[], k: number): VectorHit[] {
  const qn = Math.sqrt(query.reduce((s, x) => s + x * x, 0));
  const q = query.map((x) => Math.fround(x / qn));
  return items
    .map(({ id, vector }) => ({ id, score: vector.reduce((s, x, j) => s + Math.fround(x) * q[j]!, 0) }))
    .sort(byScoreThenId)
    .slice(0, k);
}

