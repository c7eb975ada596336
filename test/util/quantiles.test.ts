import { describe, expect, it } from 'vitest';
import { percentile, quantile, quantileSorted } from '../../src/util/quantiles.js';

describe('quantileSorted and quantile', () => {
  const xs = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

  it('takes the element at rank floor(q * n), clamped to the ends', () => {
    expect(quantileSorted(xs, 0)).toBe(10);
    expect(quantileSorted(xs, 0.5)).toBe(60);
    expect(quantileSorted(xs, 0.95)).toBe(100);
    expect(quantileSorted(xs, 1)).toBe(100);
    expect(quantileSorted(xs, -0.5)).toBe(10);
    expect(quantileSorted([], 0.5)).toBeUndefined();
  });

  it('sorts a copy of unsorted samples', () => {
    const shuffled = [70, 10, 100, 40, 30, 90, 20, 60, 50, 80];
    expect(quantile(shuffled, 0.5)).toBe(60);
    expect(shuffled[0]).toBe(70);
  });
});

describe('percentile (nearest rank)', () => {
  it('is the smallest sample with at least p% of the samples at or below it', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(percentile(xs, 50)).toBe(3);
    expect(percentile(xs, 99)).toBe(5);
    expect(percentile(xs, 20)).toBe(1);
    expect(percentile(xs, 21)).toBe(2);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([], 50)).toBeNull();
  });
});
