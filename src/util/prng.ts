/**
 * mulberry32: a small seeded 32-bit generator of uniform numbers in [0, 1). The same seed gives the
 * same sequence on every platform (integer arithmetic only), so seeded corpora, calibration
 * samples and fake vectors are reproducible.
 *
 * @example
 * const rand = mulberry32(1);
 * rand(); // 0.6270739405881613, on every run
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element of `xs`, drawn with `rand`. */
export const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
