import MiniSearch, { type Options, type SearchOptions } from 'minisearch';
import type { Paper } from '../corpus/schema.js';
import { processTerm, STOP_WORDS, words } from './text.js';

/**
 * One ranked lexical hit. `score` is MiniSearch's BM25+ score; `terms` the index terms it matched;
 * `queryTerms` the query's own (analyzed) terms that found it, exactly or fuzzily.
 */
export interface LexicalHit {
  id: string;
  score: number;
  terms: string[];
  queryTerms: string[];
}

export interface LexicalIndexOptions {
  /** Weight of a title match relative to an abstract match. Default 1.5. */
  titleBoost?: number;
  /**
   * Edit distance allowed, as a fraction of the term length (MiniSearch `fuzzy`), for query terms
   * of 6+ characters that the corpus never uses (typos, spelling variants). Default 0.2.
   */
  fuzzy?: number;
  /** Weight of fuzzy matches. Default 0.1. */
  fuzzyWeight?: number;
}

type Doc = Pick<Paper, 'id' | 'title' | 'abstract'>;

/**
 * Bump when tokenizing, stemming, indexed fields or default scoring change in a way the stop-word
 * list does not show (the abstention calibration is measured with the scoring).
 */
const ANALYZER_VERSION = 'porter-v2:title,abstract:fuzzy-unknown';

/**
 * Identifies how text is analyzed into index terms and scored (version and stop words), recorded
 * in the manifest: an index built otherwise is rebuilt, never queried with mismatched terms or
 * calibrated against another scorer.
 */
export function lexicalFingerprint(): string {
  let h = 0x811c9dc5; // FNV-1a, 32 bit
  for (const ch of `${ANALYZER_VERSION}|${[...STOP_WORDS].sort().join(',')}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return `${ANALYZER_VERSION}#${(h >>> 0).toString(16)}`;
}

const tokenize = (text: string) => words(text);

/**
 * BM25 index over paper titles and abstracts, with English stemming and stop words
 * (MiniSearch underneath). Built once at ingestion, serialized with `toJSON()`, loaded with
 * `LexicalIndex.fromJSON()`; never rebuilt per query.
 *
 * @example
 * const index = LexicalIndex.build(papers);
 * const json = JSON.stringify(index);               // at ingestion
 * const loaded = LexicalIndex.fromJSON(json);       // at start-up
 * loaded.search('neural operators for PDEs', 10);
 */
export class LexicalIndex {
  private readonly searchOptions: SearchOptions;

  /**
   * @param vocabulary every index term: a query term found here is matched exactly (fuzzy
   * expansion of known terms costs more than half the search time and adds little).
   */
  private constructor(
    private readonly mini: MiniSearch<Doc>,
    vocabulary: ReadonlySet<string>,
    options: LexicalIndexOptions = {},
  ) {
    const { titleBoost = 1.5, fuzzy = 0.2, fuzzyWeight = 0.1 } = options;
    this.searchOptions = {
      boost: { title: titleBoost },
      fuzzy: (term) => (term.length >= 6 && !vocabulary.has(term) ? fuzzy : false),
      weights: { fuzzy: fuzzyWeight, prefix: 0.3 },
      prefix: (term) => term.length >= 5,
      combineWith: 'OR',
    };
  }

  private static miniOptions(): Options<Doc> {
    return { fields: ['title', 'abstract'], idField: 'id', tokenize, processTerm };
  }

  static build(papers: readonly Doc[], options?: LexicalIndexOptions): LexicalIndex {
    const mini = new MiniSearch<Doc>(LexicalIndex.miniOptions());
    mini.addAll(papers.map(({ id, title, abstract }) => ({ id, title, abstract })));
    const vocabulary = new Set(papers.flatMap((p) => words(`${p.title} ${p.abstract}`).map(processTerm)).filter((t): t is string => t !== null));
    return new LexicalIndex(mini, vocabulary, options);
  }

  static fromJSON(json: string, options?: LexicalIndexOptions): LexicalIndex {
    const plain = JSON.parse(json) as Parameters<typeof MiniSearch.loadJS>[0];
    const vocabulary = new Set(plain.index.map(([term]) => term));
    return new LexicalIndex(MiniSearch.loadJS<Doc>(plain, LexicalIndex.miniOptions()), vocabulary, options);
  }

  toJSON(): unknown {
    return this.mini.toJSON();
  }

  get size(): number {
    return this.mini.documentCount;
  }

  /** Top-k papers for a query, best first; ties broken by id so results are deterministic. */
  search(query: string, k: number): LexicalHit[] {
    return this.mini
      .search(query, this.searchOptions)
      .map((r) => ({ id: String(r.id), score: r.score, terms: r.terms, queryTerms: r.queryTerms }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, k);
  }
}
