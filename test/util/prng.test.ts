import { describe, expect, it } from 'vitest';
import { mulberry32, pick } from '../../src/util/prng.js';

/** mulberry32 as Tommy Ettinger published it (unsigned state), to check the shared one against. */
function reference(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('mulberry32', () => {
  it.each([0, 1, 42, 0xffffffff, -5])('draws the reference sequence from seed %i', (seed) => {
    const ours = mulberry32(seed);
    const theirs = reference(seed);
    for (let i = 0; i < 10_000; i++) expect(ours()).toBe(theirs());
  });

  it('draws uniform numbers in [0, 1)', () => {
    const rand = mulberry32(7);
    const draws = Array.from({ length: 20_000 }, rand);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });

  it('picks every element of a list, and only those', () => {
    const rand = mulberry32(3);
    const seen = new Set(Array.from({ length: 200 }, () => pick(rand, ['a', 'b', 'c'])));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });
});
