import { z } from 'zod';
import type { Paper } from '../corpus/schema.js';
import type { LexicalIndex } from './lexical.js';
import type { TermStats } from './term-stats.js';
import { terms, words } from './text.js';

/**
 * How strong a top lexical match is: the top BM25 score per unit of the query's IDF mass.
 * Dividing by IDF mass makes long and short questions comparable, and query words the corpus
 * never uses (high IDF, no match) pull the strength down.
 */
export function matchStrength(topScore: number, queryTerms: readonly string[], stats: TermStats): number {
  const mass = stats.mass(new Set(queryTerms));
  return mass > 0 ? topScore / mass : 0;
}

/**
 * How far the top score stands out from the next ones: (top - mean) / standard deviation of the
 * scores ranked 2..n. A question aimed at one paper makes it an outlier even when its words are
 * paraphrased; a question the corpus does not cover spreads its score over many papers.
 */
export function topOutlier(scores: readonly number[]): number {
  const rest = scores.slice(1);
  if (!scores.length || rest.length < 2) return 0;
  const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
  const sd = Math.sqrt(rest.reduce((a, b) => a + (b - mean) ** 2, 0) / rest.length);
  return sd > 0 ? (scores[0]! - mean) / sd : 0;
}

/** Scores ranked this deep enter topOutlier. */
export const OUTLIER_DEPTH = 20;

export const CalibrationSchema = z.object({
  /** Quantile of the null distribution used as the threshold. */
  quantile: z.number(),
  samples: z.number().int(),
  /** Threshold by query length (number of distinct query terms), ascending by length. */
  thresholds: z.array(z.object({ terms: z.number().int(), strength: z.number(), floor: z.number() })),
  /** Quantile of the null distribution below which a match is too weak even when it stands out. */
  floorQuantile: z.number(),
  /** topOutlier that chance exceeds only with probability 1 - outlierQuantile. */
  outlier: z.number(),
  outlierQuantile: z.number(),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

/** Deterministic PRNG (mulberry32): the same corpus always calibrates to the same thresholds. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Calibrates "does the corpus support this question?" against a null model: questions made of
 * words drawn at random from the corpus's own abstracts target no paper, so the strength their
 * best match reaches is what chance alone gives. The threshold for a question with n terms is
 * the `quantile` of that null distribution at length n (and `floorQuantile` its low tail); the outlier threshold is the
 * `outlierQuantile` of how far chance makes the top match stand out. Runs at ingestion, stored
 * with the index.
 */
export function calibrate(
  papers: readonly Pick<Paper, 'abstract'>[],
  lexical: LexicalIndex,
  stats: TermStats,
  options: { quantile?: number; floorQuantile?: number; outlierQuantile?: number; samples?: number; lengths?: number[]; seed?: number } = {},
): Calibration {
  const { quantile = 0.5, floorQuantile = 0.2, outlierQuantile = 0.95, samples = 60, lengths = [2, 3, 4, 5, 6, 8, 10, 13, 16, 20], seed = 7 } = options;
  const outliers: number[] = [];
  const rand = prng(seed);
  const pool = papers.flatMap((p) => words(p.abstract)).filter((w) => terms(w).length > 0);
  const thresholds = lengths.map((n) => {
    const strengths: number[] = [];
    for (let i = 0; i < samples; i++) {
      const query = Array.from({ length: n }, () => pool[Math.floor(rand() * pool.length)]).join(' ');
      const hits = lexical.search(query, OUTLIER_DEPTH);
      strengths.push(hits[0] ? matchStrength(hits[0].score, terms(query), stats) : 0);
      outliers.push(topOutlier(hits.map((h) => h.score)));
    }
    strengths.sort((a, b) => a - b);
    const at = (q: number) => strengths[Math.min(strengths.length - 1, Math.floor(q * strengths.length))]!;
    return { terms: n, strength: at(quantile), floor: at(floorQuantile) };
  });
  outliers.sort((a, b) => a - b);
  const outlier = outliers[Math.min(outliers.length - 1, Math.floor(outlierQuantile * outliers.length))] ?? Infinity;
  return { quantile, floorQuantile, samples, thresholds, outlier, outlierQuantile };
}

/** The calibrated thresholds for a question with `n` distinct terms (nearest calibrated length). */
export function thresholdFor(calibration: Calibration, n: number): { strength: number; floor: number } {
  let best = calibration.thresholds[0]!;
  for (const t of calibration.thresholds) if (Math.abs(t.terms - n) < Math.abs(best.terms - n)) best = t;
  return best;
}

/**
 * Is the best match evidence that the corpus addresses the question? Either it is stronger than
 * what chance usually reaches, or it stands out from the other papers more than chance does while
 * being no weaker than chance's low tail (a paraphrased question aimed at one paper).
 */
export function isSupported(calibration: Calibration, strength: number, outlier: number, queryTerms: number): boolean {
  const t = thresholdFor(calibration, queryTerms);
  return strength > t.strength || (outlier > calibration.outlier && strength > t.floor);
}
