/**
 * The WebAssembly SIMD kernel against plain JavaScript: its float32 scores stay within half the
 * slack of the exact ones, and the candidates it yields, re-scored, give exactly `topKByDot`'s answer.
 */
import { describe, expect, it } from 'vitest';
import { createSimdScanner, SIMD_SCORE_SLACK } from '../../src/retrieval/simd-scan.js';
import { dotAt, rescoreTopK, topKByDot } from '../../src/retrieval/top-k.js';
import { mulberry32 } from '../../src/util/prng.js';
import { unitVector } from '../helpers/vectors.js';

describe('createSimdScanner', () => {
  it('is available on this Node (WebAssembly SIMD) for dimensions that are multiples of 8, and only those', () => {
    expect(createSimdScanner(10, 384)).not.toBeNull();
    expect(createSimdScanner(10, 8)).not.toBeNull();
    expect(createSimdScanner(10, 12)).toBeNull();
    expect(createSimdScanner(0, 384)).toBeNull();
  });

  it('scores every row within half the slack of the exact dot product', () => {
    const rand = mulberry32(5);
    const n = 2000;
    const dim = 384;
    const scanner = createSimdScanner(n, dim)!;
    for (let i = 0; i < n; i++) scanner.matrix.set(unitVector(dim, rand), i * dim);
    for (let t = 0; t < 5; t++) {
      const q = Float32Array.from(unitVector(dim, rand));
      const scores = scanner.scores(q);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(scores[i]! - dotAt(scanner.matrix, i * dim, q, dim)));
      expect(worst).toBeLessThan(SIMD_SCORE_SLACK / 2);
    }
  });
});

describe('rescoreTopK', () => {
  it('returns exactly what the full JavaScript scan returns, duplicated rows (ties) included', () => {
    const rand = mulberry32(11);
    const n = 3000;
    const dim = 64;
    const scanner = createSimdScanner(n, dim)!;
    for (let i = 0; i < n; i++) scanner.matrix.set(i % 10 === 3 ? scanner.matrix.subarray((i - 1) * dim, i * dim) : unitVector(dim, rand), i * dim);
    const byIndexDesc = (a: number, b: number) => b - a; // an unusual tie order, to see it obeyed
    for (const k of [1, 7, 50, n + 5]) {
      const q = Float32Array.from(unitVector(dim, rand));
      const expected = topKByDot(scanner.matrix, dim, q, k, byIndexDesc);
      const got = rescoreTopK(scanner.scores(q), k, SIMD_SCORE_SLACK, (r) => dotAt(scanner.matrix, r * dim, q, dim), byIndexDesc);
      expect(got).toEqual(expected);
    }
  });
});
