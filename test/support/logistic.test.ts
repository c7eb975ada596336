import { describe, expect, it } from 'vitest';
import { fitLogistic, predict } from '../../src/support/logistic.js';

describe('fitLogistic', () => {
  it('separates two classes and is deterministic', () => {
    const xs = Array.from({ length: 200 }, (_, i) => [i % 2 ? 1 + (i % 7) / 10 : -1 - (i % 5) / 10, (i % 3) - 1]);
    const ys = xs.map((_, i) => (i % 2 ? 1 : 0) as 0 | 1);
    const model = fitLogistic(xs, ys);
    expect(fitLogistic(xs, ys)).toEqual(model);
    expect(predict(model, [1.5, 0])).toBeGreaterThan(0.9);
    expect(predict(model, [-1.5, 0])).toBeLessThan(0.1);
  });
});
