import type { RetrievalLists } from '../retrieval/retriever.js';
import type { TermStats } from '../retrieval/term-stats.js';

/**
 * What one search says about whether the collection answers a question. Computed by `evidence()`
 * from the lists a search returned; calibration (at ingestion) and the judge (per question) both
 * call it on lists from the same `Retriever.lists`, so they read the same signals the same way.
 */
export interface Evidence {
  /** Distinct analyzed query terms. */
  queryTerms: number;
  /** Top BM25 score per unit of the query's IDF mass: comparable across question lengths. */
  lexicalStrength: number;
  /** Share of the query's IDF mass that the top lexical paper matches. */
  lexicalCoverage: number;
  /** How far the top BM25 score stands out from the next ones (a z-score). */
  lexicalOutlier: number;
  /** Top cosine similarity; null without dense retrieval. */
  denseTop: number | null;
  /** How far the top cosine stands out from the next ones (a z-score); null without dense retrieval. */
  denseOutlier: number | null;
  /** 1 when the two retrievers' best papers appear in each other's top 3, else 0; null without dense retrieval. */
  agreement: number | null;
}

/** Ranks read by the outlier scores (the top one against the next `OUTLIER_DEPTH - 1`). */
export const OUTLIER_DEPTH = 20;

/** (top - mean) / standard deviation of the scores ranked 2..n; 0 when undefined. */
export function topOutlier(scores: readonly number[]): number {
  const rest = scores.slice(1);
  if (!scores.length || rest.length < 2) return 0;
  const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
  const sd = Math.sqrt(rest.reduce((a, b) => a + (b - mean) ** 2, 0) / rest.length);
  return sd > 0 ? (scores[0]! - mean) / sd : 0;
}

/** The evidence in one search's lists, for a question whose analyzed terms are `queryTerms`. */
export function evidence(lists: Pick<RetrievalLists, 'lexical' | 'dense'>, queryTerms: readonly string[], stats: TermStats): Evidence {
  const distinct = [...new Set(queryTerms)];
  const mass = stats.mass(distinct);
  const lex = lists.lexical.slice(0, OUTLIER_DEPTH);
  const top = lex[0];
  const matched = new Set(top?.queryTerms ?? []);
  const matchedMass = stats.mass(distinct.filter((t) => matched.has(t)));
  const dense = lists.dense?.slice(0, OUTLIER_DEPTH) ?? null;
  const inTop3 = (id: string | undefined, list: readonly { id: string }[]) => id !== undefined && list.slice(0, 3).some((h) => h.id === id);
  return {
    queryTerms: distinct.length,
    lexicalStrength: top && mass > 0 ? top.score / mass : 0,
    lexicalCoverage: mass > 0 ? matchedMass / mass : 0,
    lexicalOutlier: topOutlier(lex.map((h) => h.score)),
    denseTop: dense ? (dense[0]?.score ?? 0) : null,
    denseOutlier: dense ? topOutlier(dense.map((h) => h.score)) : null,
    agreement: dense ? (inTop3(top?.id, dense) || inTop3(dense[0]?.id, lex) ? 1 : 0) : null,
  };
}

/** The evidence as the support model's input vector; dense signals only when the model has them. */
export function featureVector(e: Evidence, withDense: boolean): number[] {
  const lexical = [e.lexicalStrength, e.lexicalCoverage, e.lexicalOutlier, Math.log1p(e.queryTerms)];
  return withDense ? [...lexical, e.denseTop ?? 0, e.denseOutlier ?? 0, e.agreement ?? 0] : lexical;
}
