/**
 * The BM25+ scoring of the lexical index (Lv & Zhai 2011, with MiniSearch's parameters, the scorer
 * the index replaced): its options and defaults, and the one impact formula every store uses.
 */

/** How query terms are weighted, per index (recorded in the index file and the D1 dictionary). */
export interface LexicalIndexOptions {
  /** Weight of a title match relative to an abstract match. Defaults to 1.5. */
  titleBoost?: number;
  /**
   * Edit distance allowed, as a fraction of the term length, for query terms of 6+ characters
   * that the collection never uses (typos, spelling variants). Defaults to 0.2.
   */
  fuzzy?: number;
  /** Weight of fuzzy matches. Defaults to 0.1. */
  fuzzyWeight?: number;
  /**
   * Weight of prefix matches: a query term of 5+ characters also finds up to 8 longer index terms
   * it begins, whether or not the collection uses the term itself. Defaults to 0.3.
   */
  prefixWeight?: number;
}

/**
 * The scorer's defaults, in one place: the options above, then the fixed parameters. `k1`
 * term-frequency saturation, `b` length normalization, `delta` the floor every occurrence earns.
 */
export const LEXICAL_DEFAULTS = {
  titleBoost: 1.5,
  fuzzy: 0.2,
  fuzzyWeight: 0.1,
  prefixWeight: 0.3,
  k1: 1.2,
  b: 0.7,
  delta: 0.5,
  /** Query terms shorter than this are never expanded by prefix. */
  prefixMinLength: 5,
  /**
   * Longer terms one query term's prefix expansion adds at most (the first in alphabetical order,
   * which are the closest in length among terms sharing the prefix): a short prefix such as
   * "learn" must not pull in every term that starts with it.
   */
  maxPrefixTerms: 8,
  /** ... nor by edit distance. */
  fuzzyMinLength: 6,
  /** Largest edit distance tried. */
  maxFuzzy: 6,
} as const;

/** The caller's options merged once over the defaults. */
export function resolveLexicalOptions(options: LexicalIndexOptions = {}): Required<LexicalIndexOptions> {
  const d = LEXICAL_DEFAULTS;
  return { titleBoost: d.titleBoost, fuzzy: d.fuzzy, fuzzyWeight: d.fuzzyWeight, prefixWeight: d.prefixWeight, ...options };
}

/** What BM25+ needs of the collection besides a term's document frequencies. */
export interface CollectionStatistics {
  /** Papers in the collection. */
  n: number;
  /** Mean number of distinct words of a title (stop words included), and of an abstract. */
  avgTitle: number;
  avgAbstract: number;
}

/**
 * A paper's impact for one term: its title and abstract BM25+ summed, the title boosted. The one
 * formula for every storage (the typed-array index precomputes it at ingestion; D1 computes it
 * per candidate from the stored term lists), so both rank alike.
 */
export function bm25PlusImpact(s: CollectionStatistics, o: Pick<Required<LexicalIndexOptions>, 'titleBoost'>, tfTitle: number, dfTitle: number, titleLength: number, tfAbstract: number, dfAbstract: number, abstractLength: number): number {
  const { k1, b, delta } = LEXICAL_DEFAULTS;
  const bm25 = (tf: number, df: number, length: number, avg: number) =>
    Math.log(1 + (s.n - df + 0.5) / (df + 0.5)) * (delta + (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * length) / avg)));
  return (tfTitle ? o.titleBoost * bm25(tfTitle, dfTitle, titleLength, s.avgTitle) : 0) + (tfAbstract ? bm25(tfAbstract, dfAbstract, abstractLength, s.avgAbstract) : 0);
}
