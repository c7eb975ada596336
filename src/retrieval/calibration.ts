import { z } from 'zod';
import type { Paper } from '../corpus/schema.js';
import type { Embedder } from './embedder.js';
import type { LexicalIndex } from './lexical.js';
import type { TermStats } from './term-stats.js';
import type { VectorStore } from './vector-store.js';
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
  /** Top cosine similarity that chance exceeds only with probability 1 - outlierQuantile; set when the index has vectors. */
  dense: z.number().optional(),
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

/** Random-word queries of each length: questions that target no paper. */
function nullQueries(papers: readonly Pick<Paper, 'abstract'>[], lengths: readonly number[], samples: number, seed: number): { n: number; queries: string[] }[] {
  const rand = prng(seed);
  const pool = papers.flatMap((p) => words(p.abstract)).filter((w) => terms(w).length > 0);
  return lengths.map((n) => ({
    n,
    queries: Array.from({ length: samples }, () => Array.from({ length: n }, () => pool[Math.floor(rand() * pool.length)]).join(' ')),
  }));
}

const quantileOf = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Infinity;
};

export interface CalibrateOptions {
  /** Null quantile a match must beat to count as strong. Default 0.5. */
  quantile?: number;
  /** Null quantile a standing-out match must still beat. Default 0.2. */
  floorQuantile?: number;
  /** Null quantile of topOutlier (and of dense similarity) to beat. Default 0.95. */
  outlierQuantile?: number;
  /** Random queries per length. Default 60. */
  samples?: number;
  /** Random queries per length embedded for the dense threshold. Default 10. */
  denseSamples?: number;
  lengths?: number[];
  seed?: number;
  /** With an embedder, the dense threshold is calibrated too. */
  dense?: { embedder: Embedder; store: VectorStore } | null;
}

/**
 * Calibrates "does the corpus support this question?" against a null model: questions made of
 * words drawn at random from the corpus's own abstracts target no paper, so what their best match
 * reaches is what chance alone gives. Thresholds, per question length: the `quantile` of the null
 * strength (and `floorQuantile`, its low tail); the `outlierQuantile` of how far chance makes the
 * top match stand out; with an embedder, the `outlierQuantile` of the top cosine similarity.
 * Runs at ingestion; stored with the index.
 */
export async function calibrate(
  papers: readonly Pick<Paper, 'abstract'>[],
  lexical: LexicalIndex,
  stats: TermStats,
  options: CalibrateOptions = {},
): Promise<Calibration> {
  const { quantile = 0.5, floorQuantile = 0.2, outlierQuantile = 0.95, samples = 60, denseSamples = 10, lengths = [2, 3, 4, 5, 6, 8, 10, 13, 16, 20], seed = 7 } = options;
  const groups = nullQueries(papers, lengths, samples, seed);
  const outliers: number[] = [];
  const thresholds = groups.map(({ n, queries }) => {
    const strengths = queries.map((query) => {
      const hits = lexical.search(query, OUTLIER_DEPTH);
      outliers.push(topOutlier(hits.map((h) => h.score)));
      return hits[0] ? matchStrength(hits[0].score, terms(query), stats) : 0;
    });
    return { terms: n, strength: quantileOf(strengths, quantile), floor: quantileOf(strengths, floorQuantile) };
  });
  const calibration: Calibration = { quantile, floorQuantile, samples, thresholds, outlier: quantileOf(outliers, outlierQuantile), outlierQuantile };
  if (options.dense) {
    const similarities: number[] = [];
    for (const { queries } of groups) {
      for (const query of queries.slice(0, denseSamples)) {
        const [top] = await options.dense.store.query(await options.dense.embedder.embedQuery(query), 1);
        similarities.push(top?.score ?? 0);
      }
    }
    calibration.dense = quantileOf(similarities, outlierQuantile);
  }
  return calibration;
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
 * being no weaker than chance's low tail (a paraphrased question aimed at one paper), or, with
 * dense retrieval, its embedding is closer to the question than chance brings any paper.
 */
export function isSupported(
  calibration: Calibration,
  evidence: { strength: number; outlier: number; queryTerms: number; denseSimilarity?: number | null },
): boolean {
  const t = thresholdFor(calibration, evidence.queryTerms);
  if (evidence.strength > t.strength || (evidence.outlier > calibration.outlier && evidence.strength > t.floor)) return true;
  return calibration.dense !== undefined && evidence.denseSimilarity != null && evidence.denseSimilarity > calibration.dense;
}
