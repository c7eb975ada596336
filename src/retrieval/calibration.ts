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

export const CalibrationSchema = z.object({
  /** Quantile of the null distribution used as the threshold. */
  quantile: z.number(),
  samples: z.number().int(),
  /** Threshold by query length (number of distinct query terms), ascending by length. */
  thresholds: z.array(z.object({ terms: z.number().int(), strength: z.number() })),
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
 * the `quantile` of that null distribution at length n. Runs at ingestion, stored with the index.
 */
export function calibrate(
  papers: readonly Pick<Paper, 'abstract'>[],
  lexical: LexicalIndex,
  stats: TermStats,
  options: { quantile?: number; samples?: number; lengths?: number[]; seed?: number } = {},
): Calibration {
  const { quantile = 0.5, samples = 60, lengths = [2, 3, 4, 5, 6, 8, 10, 13, 16, 20], seed = 7 } = options;
  const rand = prng(seed);
  const pool = papers.flatMap((p) => words(p.abstract)).filter((w) => terms(w).length > 0);
  const thresholds = lengths.map((n) => {
    const strengths: number[] = [];
    for (let i = 0; i < samples; i++) {
      const query = Array.from({ length: n }, () => pool[Math.floor(rand() * pool.length)]).join(' ');
      const top = lexical.search(query, 1)[0];
      strengths.push(top ? matchStrength(top.score, terms(query), stats) : 0);
    }
    strengths.sort((a, b) => a - b);
    return { terms: n, strength: strengths[Math.min(strengths.length - 1, Math.floor(quantile * strengths.length))]! };
  });
  return { quantile, samples, thresholds };
}

/** The calibrated threshold for a question with `n` distinct terms (nearest calibrated length). */
export function thresholdFor(calibration: Calibration, n: number): number {
  let best = calibration.thresholds[0]!;
  for (const t of calibration.thresholds) if (Math.abs(t.terms - n) < Math.abs(best.terms - n)) best = t;
  return best.strength;
}
