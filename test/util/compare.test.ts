import { describe, expect, it } from 'vitest';
import { byScoreThenId, compareIds } from '../../src/util/compare.js';

describe('compareIds', () => {
  it('orders by code units, not by locale', () => {
    expect(['b', 'B', 'a', 'a-2', 'a10', 'a9'].sort(compareIds)).toEqual(['B', 'a', 'a-2', 'a10', 'a9', 'b']);
    expect(compareIds('x', 'x')).toBe(0);
  });
});

describe('byScoreThenId', () => {
  it('puts the best score first and breaks ties by id', () => {
    const hits = [
      { id: 'c', score: 1 },
      { id: 'b', score: 2 },
      { id: 'a', score: 1 },
    ];
    expect(hits.sort(byScoreThenId).map((h) => h.id)).toEqual(['b', 'a', 'c']);
  });
});
