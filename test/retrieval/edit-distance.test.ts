import { describe, expect, it } from 'vitest';
import { editDistance } from '../../src/retrieval/edit-distance.js';
import { mulberry32, pick } from '../../src/util/prng.js';

/** The textbook full-matrix recurrence, unbounded: what the bounded one must agree with. */
function reference(a: string, b: string, transpositions: boolean): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (transpositions && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('editDistance', () => {
  it.each([
    ['kitten', 'sitting', 3, 3],
    ['abc', 'abc', 1, 0],
    ['', 'abc', 3, 3],
    ['wieghts', 'weights', 5, 2],
    ['modle', 'model', 5, 2],
  ])('Levenshtein: %s ~ %s within %i = %i', (a, b, max, d) => {
    expect(editDistance(a, b, max)).toBe(d);
  });

  it.each([
    ['weights', 'weights', 0],
    ['wieghts', 'weights', 1],
    ['modle', 'model', 1],
    ['samplng', 'sampling', 1],
    ['kitten', 'sitting', 3],
  ])('with transpositions: %s ~ %s = %i', (a, b, d) => {
    expect(editDistance(a, b, 5, { transpositions: true })).toBe(d);
  });

  it('answers max + 1 past the bound, early or at the end', () => {
    expect(editDistance('kitten', 'sitting', 2)).toBe(3);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
    expect(editDistance('abcdef', 'uvwxyz', 2, { transpositions: true })).toBe(3);
  });

  it('agrees with the full recurrence on random words, both ways, after longer words grew its rows', () => {
    const rand = mulberry32(11);
    const word = (max: number) => Array.from({ length: Math.floor(rand() * max) }, () => pick(rand, ['a', 'b', 'c', 'd'])).join('');
    editDistance('x'.repeat(200), 'y'.repeat(200), 3); // grows the scratch rows
    for (let n = 0; n < 3000; n++) {
      const a = word(10);
      const b = word(10);
      const max = Math.floor(rand() * 6);
      for (const transpositions of [false, true]) expect(editDistance(a, b, max, { transpositions })).toBe(Math.min(reference(a, b, transpositions), max + 1));
    }
  });
});
