import type { VectorHit } from '../../src/retrieval/vector-store.js';

/** Seeded PRNG: the same vectors on every run. */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, k);
}

