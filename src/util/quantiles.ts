/**
 * Order statistics of samples: the q-quantile (calibration thresholds, evaluation latencies) and
 * the nearest-rank percentile (benchmark latencies). Each returns an element of the samples.
 */

/** The element at rank ⌊q·n⌋ (clamped to the ends) of samples sorted ascending; undefined when empty. */
export function quantileSorted<T>(sorted: readonly T[], q: number): T | undefined {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))];
}

/** `quantileSorted` of unsorted numbers (a sorted copy; the input is left as it is). */
export const quantile = (xs: readonly number[], q: number): number | undefined => quantileSorted([...xs].sort((a, b) => a - b), q);

/** Nearest-rank percentile (p in 0..100): the smallest sample with at least p% of the samples at or below it; null when empty. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (!xs.length) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
