import { describe, expect, it } from 'vitest';
import { coverVector, topOutlier, type CoverSignals } from '../../src/support/features.js';

describe('topOutlier', () => {
  it('is large when one score stands out and 0 when all are equal or too few', () => {
    expect(topOutlier([10, 1, 1.1, 0.9, 1])).toBeGreaterThan(10);
    expect(topOutlier([1, 1, 1, 1])).toBe(0);
    expect(topOutlier([5, 1])).toBe(0);
  });
});

describe('coverVector', () => {
  const signals: CoverSignals = { lexicalStrength: 1, lexicalCoverage: 0.8, lexicalOutlier: 3, terms: 2, unknown: 0.1, proximity: 1, passage: 0.7, dense: { top: 0.6, outlier: 2, agreement: 1 } };
  it('reads the dense signals only when the calibration was made with them', () => {
    expect(coverVector(signals, false)).toEqual([1, 0.8, 3, 2, 0.1, 1, 0.7]);
    expect(coverVector(signals, true)).toEqual([1, 0.8, 3, 2, 0.1, 1, 0.7, 0.6, 2, 1]);
    expect(coverVector({ ...signals, dense: null }, true)).toEqual([1, 0.8, 3, 2, 0.1, 1, 0.7, 0, 0, 0]);
  });
});
