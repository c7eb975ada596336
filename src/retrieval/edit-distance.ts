/** What `editDistance` counts as one edit besides inserting, deleting or substituting a character. */
export interface EditDistanceOptions {
  /**
   * A swap of two adjacent characters ("wieghts" → "weights") is one edit: the optimal string
   * alignment distance, as typo correction wants it. Defaults to false: plain Levenshtein, as
   * MiniSearch's fuzzy matching (which the index reproduces) counts.
   */
  transpositions?: boolean;
}

const LEVENSHTEIN: EditDistanceOptions = {};

/** Scratch rows, grown on demand (every caller is synchronous, so they are never shared). */
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)] as const;

/**
 * The edit distance between `a` and `b` (UTF-16 code units) when it is at most `max`, else
 * `max + 1`, returned as soon as no alignment can stay within `max`. One implementation for the
 * index's fuzzy expansion and the spelling corrector; no allocation per call.
 *
 * @example
 * editDistance('kitten', 'sitting', 3); // 3
 * editDistance('wieghts', 'weights', 2, { transpositions: true }); // 1
 */
export function editDistance(a: string, b: string, max: number, options: EditDistanceOptions = LEVENSHTEIN): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (rows[0].length <= b.length) {
    const size = b.length * 2 + 1;
    rows = [new Int32Array(size), new Int32Array(size), new Int32Array(size)];
  }
  const swaps = options.transpositions === true;
  // The rows of i - 2, i - 1 and i.
  let [before, prev, row] = rows;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let best = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (ca === cb ? 0 : 1));
      if (swaps && i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, before[j - 2]! + 1);
      row[j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    [before, prev, row] = [prev, row, before];
  }
  return Math.min(prev[b.length]!, max + 1);
}
