/**
 * The collection's sorted index terms, and how a query term expands over them: exactly, by prefix,
 * by edit distance. Shared by every store (the typed-array index, D1), so a query finds the same
 * terms with the same weights everywhere.
 */
import { editDistance } from '../edit-distance.js';
import { analyzeCollection, type LexicalDoc } from './analyzer.js';
import { LEXICAL_DEFAULTS, resolveLexicalOptions, type CollectionStatistics, type LexicalIndexOptions } from './bm25.js';

/** A query term's expansion: an index term (its number in sorted order) and its weight. */
export interface Expansion {
  term: number;
  weight: number;
}

/** The sorted index terms and the expansion of query terms over them. */
export class TermDictionary {
  private readonly numbers: Map<string, number>;
  /** Terms by length, for the edit-distance expansion of unknown terms (built on first need). */
  private byLength: number[][] | null = null;

  constructor(
    /** Sorted ascending. */
    readonly terms: readonly string[],
    private readonly options: Required<LexicalIndexOptions>,
  ) {
    this.numbers = new Map(terms.map((t, i) => [t, i]));
  }

  /** The term's number (its rank in sorted order), or undefined when the collection never uses it. */
  number(term: string): number | undefined {
    return this.numbers.get(term);
  }

  /**
   * The index terms a query term stands for, with their weights: itself when the collection
   * uses it, and a few longer terms it begins (5+ characters: "layer" finds "layerdrop"); a term
   * the collection never uses also finds those within the allowed edit distance (6+ characters:
   * typos). Expansions are weighted down with their distance (MiniSearch's weighting).
   */
  expand(source: string): Expansion[] {
    const exact = this.numbers.get(source);
    const o = this.options;
    const out: Expansion[] = exact === undefined ? [] : [{ term: exact, weight: 1 }];
    const seen = new Set<number>(out.map((e) => e.term));
    if (source.length >= LEXICAL_DEFAULTS.prefixMinLength) {
      const terms = this.terms;
      let lo = 0;
      let hi = terms.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (terms[mid]! < source) lo = mid + 1;
        else hi = mid;
      }
      for (let t = lo, taken = 0; t < terms.length && taken < LEXICAL_DEFAULTS.maxPrefixTerms && terms[t]!.startsWith(source); t++) {
        if (t === exact) continue;
        taken++;
        const distance = terms[t]!.length - source.length;
        out.push({ term: t, weight: (o.prefixWeight * terms[t]!.length) / (terms[t]!.length + 0.3 * distance) });
        seen.add(t);
      }
    }
    if (exact !== undefined) return out; // a known term is not a typo
    const maxDistance = source.length >= LEXICAL_DEFAULTS.fuzzyMinLength ? Math.min(LEXICAL_DEFAULTS.maxFuzzy, Math.round(source.length * o.fuzzy)) : 0;
    if (maxDistance > 0) {
      const byLength = this.lengthBuckets();
      for (let len = Math.max(1, source.length - maxDistance); len <= source.length + maxDistance; len++) {
        for (const t of byLength[len] ?? []) {
          if (seen.has(t)) continue;
          const term = this.terms[t]!;
          const distance = editDistance(source, term, maxDistance);
          if (distance <= maxDistance) out.push({ term: t, weight: (o.fuzzyWeight * term.length) / (term.length + distance) });
        }
      }
    }
    return out;
  }

  private lengthBuckets(): number[][] {
    if (!this.byLength) {
      const buckets: number[][] = [];
      this.terms.forEach((t, i) => (buckets[t.length] ??= []).push(i));
      this.byLength = buckets;
    }
    return this.byLength;
  }
}

/**
 * The collection's term dictionary without postings: sorted terms, each one's document frequency
 * (title or abstract), per-field frequencies, and the collection statistics. With it, a store that
 * keeps postings elsewhere (D1) expands and scores queries exactly as `LexicalIndex` does.
 */
export interface LexicalDictionaryData {
  format: 1;
  terms: string[];
  df: number[];
  dfTitle: number[];
  dfAbstract: number[];
  stats: CollectionStatistics;
  options: Required<LexicalIndexOptions>;
}

/** The dictionary of the index `LexicalIndex.build(papers, options)` would build. */
export function lexicalDictionary(papers: readonly LexicalDoc[], options: LexicalIndexOptions = {}): LexicalDictionaryData {
  const c = analyzeCollection(papers);
  const byRank = (perId: Uint32Array) => c.terms.map(([, id]) => perId[id]!);
  return {
    format: 1,
    terms: c.terms.map(([t]) => t),
    df: c.terms.map((_, rank) => c.offsets[rank + 1]! - c.offsets[rank]!),
    dfTitle: byRank(c.dfTitle),
    dfAbstract: byRank(c.dfAbstract),
    stats: c.stats,
    options: resolveLexicalOptions(options),
  };
}
