import { describe, expect, it } from 'vitest';
import { dotAt, topKByDot } from '../../src/retrieval/top-k.js';
import { mulberry32 } from '../../src/util/prng.js';
import { unitVector } from '../helpers/vectors.js';

describe('topKByDot', () => {
  it('returns the k best rows by dot product, best first, as a full sort would', () => {
    const rand = mulberry32(9);
    const dim = 12;
    const rows = Array.from({ length: 300 }, () => unitVector(dim, rand));
    const matrix = new Float32Array(rows.flat());
    const q = new Float32Array(unitVector(dim, rand));
    const all = rows.map((_, i) => ({ index: i, score: dotAt(matrix, i * dim, q, dim) })).sort((a, b) => b.score - a.score || a.index - b.index);
    for (const k of [1, 7, 50, 300, 400]) expect(topKByDot(matrix, dim, q, k)).toEqual(all.slice(0, k));
  });

  it('breaks ties by index by default, by tieBreak when given', () => {
    const matrix = new Float32Array([1, 0, 0, 1, 1, 0, 1, 0]);
    const q = new Float32Array([1, 0]);
    expect(topKByDot(matrix, 2, q, 2)).toEqual([
      { index: 0, score: 1 },
      { index: 2, score: 1 },
    ]);
    expect(topKByDot(matrix, 2, q, 2, (a, b) => b - a).map((h) => h.index)).toEqual([3, 2]);
    expect(topKByDot(matrix, 2, q, 0)).toEqual([]);
    expect(topKByDot(new Float32Array(0), 2, q, 5)).toEqual([]);
  });
});
