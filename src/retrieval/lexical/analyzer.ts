/**
 * How the lexical index sees text: query terms, a paper's fields, and a whole collection analyzed
 * into (term, paper) rows with the statistics BM25+ needs. Every store analyzes through here, so a
 * query finds the same terms everywhere.
 */
import type { Paper } from '../../corpus/schema.js';
import { compareIds } from '../../util/compare.js';
import { fnv1a32 } from '../../util/hash.js';
import { processTerm, STOP_WORDS, words } from '../text.js';
import type { CollectionStatistics } from './bm25.js';

/** What the lexical index reads of a paper. */
export type LexicalDoc = Pick<Paper, 'id' | 'title' | 'abstract'>;

/**
 * Bump when tokenizing, stemming, indexed fields, scoring or the file layout change in a way the
 * stop-word list does not show (the abstention calibration is measured with the scoring).
 */
const ANALYZER_VERSION = 'porter-v2:title,abstract:bm25plus-impacts:prefix8:fuzzy-unknown';

/**
 * Identifies how text is analyzed into index terms and scored (version and stop words), recorded
 * in the manifest: an index built otherwise is rebuilt, never queried with mismatched terms or
 * calibrated against another scorer.
 */
export function lexicalFingerprint(): string {
  const h = fnv1a32(`${ANALYZER_VERSION}|${[...STOP_WORDS].sort().join(',')}`);
  return `${ANALYZER_VERSION}#${h.toString(16)}`;
}

/** The distinct analyzed terms of a query, each with how often it occurs, in order of first use. */
export function analyzeQuery(query: string): Map<string, number> {
  const sources = new Map<string, number>();
  for (const token of words(query)) {
    const term = processTerm(token);
    if (term) sources.set(term, (sources.get(term) ?? 0) + 1);
  }
  return sources;
}

/** A paper's fields as the index sees them: analyzed terms in order (repeats kept), and lengths. */
export interface AnalyzedFields {
  titleTerms: string[];
  abstractTerms: string[];
  /** Distinct words (stop words included): the length BM25+ normalizes by. */
  titleLength: number;
  abstractLength: number;
}

/** What `LexicalIndex.build` indexes of one paper (for stores that score from term lists: D1). */
export function analyzeFields(p: LexicalDoc): AnalyzedFields {
  const field = (text: string) => {
    const tokens = words(text);
    return { terms: tokens.map(processTerm).filter((t): t is string => t !== null), length: new Set(tokens).size };
  };
  const title = field(p.title);
  const abstract = field(p.abstract);
  return { titleTerms: title.terms, abstractTerms: abstract.terms, titleLength: title.length, abstractLength: abstract.length };
}

/** A collection analyzed for indexing: see `analyzeCollection`. */
export interface AnalyzedCollection {
  /** Each term with its number in order of first use, sorted by term: a term's rank is its place here. */
  terms: (readonly [string, number])[];
  /** A term's rank, by its number. */
  rankOf: Uint32Array;
  /** One row per distinct term of each paper, in paper order: the term's number, the paper, and the term's frequency in title and abstract. */
  rowTerm: number[];
  rowDoc: number[];
  rowTfTitle: number[];
  rowTfAbstract: number[];
  /** Each paper's field lengths (distinct words, stop words included). */
  titleLength: Float64Array;
  abstractLength: Float64Array;
  /** Per-field document frequencies, by term number. */
  dfTitle: Uint32Array;
  dfAbstract: Uint32Array;
  /** `offsets[rank]..offsets[rank + 1]`: where a term's postings go, by rank (a counting sort of the rows). */
  offsets: Uint32Array;
  stats: CollectionStatistics;
}

/**
 * Every (term, paper) pair of a collection with its per-field term frequencies, the per-field
 * document frequencies, each term's place in rank (alphabetical) order, and the statistics.
 */
export function analyzeCollection(papers: readonly LexicalDoc[]): AnalyzedCollection {
  const n = papers.length;
  // Words repeat far more often than they are new: each distinct word is analyzed once, to a
  // term number (-1 for a stop word), in order of first use.
  const termOf = new Map<string, number>();
  const termNames: string[] = [];
  const wordTerm = new Map<string, number>();
  const analyze = (word: string): number => {
    let id = wordTerm.get(word);
    if (id === undefined) {
      const term = processTerm(word);
      if (term === null) id = -1;
      else {
        id = termOf.get(term);
        if (id === undefined) {
          id = termNames.length;
          termOf.set(term, id);
          termNames.push(term);
        }
      }
      wordTerm.set(word, id);
    }
    return id;
  };
  // One (term, doc, title tf, abstract tf) row per distinct term of each document.
  const rowTerm: number[] = [];
  const rowDoc: number[] = [];
  const rowTfTitle: number[] = [];
  const rowTfAbstract: number[] = [];
  let tf: [Uint32Array, Uint32Array] = [new Uint32Array(1024), new Uint32Array(1024)];
  const titleLength = new Float64Array(n);
  const abstractLength = new Float64Array(n);
  const docTerms: number[] = [];
  for (let doc = 0; doc < n; doc++) {
    const p = papers[doc]!;
    for (const field of [0, 1] as const) {
      const tokens = words(field === 0 ? p.title : p.abstract);
      (field === 0 ? titleLength : abstractLength)[doc] = new Set(tokens).size;
      for (const token of tokens) {
        const id = analyze(token);
        if (id < 0) continue;
        if (id >= tf[0].length) {
          const grow = (a: Uint32Array) => {
            const bigger = new Uint32Array(a.length * 2);
            bigger.set(a);
            return bigger;
          };
          tf = [grow(tf[0]), grow(tf[1])];
        }
        if (tf[0][id] === 0 && tf[1][id] === 0) docTerms.push(id);
        tf[field][id]!++;
      }
    }
    for (const id of docTerms) {
      rowTerm.push(id);
      rowDoc.push(doc);
      rowTfTitle.push(tf[0][id]!);
      rowTfAbstract.push(tf[1][id]!);
      tf[0][id] = 0;
      tf[1][id] = 0;
    }
    docTerms.length = 0;
  }
  const terms = termNames.map((t, id) => [t, id] as const).sort((a, b) => compareIds(a[0], b[0]));
  const rankOf = new Uint32Array(terms.length);
  terms.forEach(([, id], rank) => (rankOf[id] = rank));
  // Per-field document frequencies, and each term's place in the postings (counting sort by rank).
  const dfTitle = new Uint32Array(terms.length);
  const dfAbstract = new Uint32Array(terms.length);
  const offsets = new Uint32Array(terms.length + 1);
  for (let r = 0; r < rowTerm.length; r++) {
    const id = rowTerm[r]!;
    offsets[rankOf[id]! + 1]!++;
    if (rowTfTitle[r]) dfTitle[id]!++;
    if (rowTfAbstract[r]) dfAbstract[id]!++;
  }
  for (let t = 0; t < terms.length; t++) offsets[t + 1]! += offsets[t]!;
  const mean = (a: Float64Array) => (n ? a.reduce((sum, x) => sum + x, 0) / n : 0);
  const stats: CollectionStatistics = { n, avgTitle: mean(titleLength) || 1, avgAbstract: mean(abstractLength) || 1 };
  return { terms, rankOf, rowTerm, rowDoc, rowTfTitle, rowTfAbstract, titleLength, abstractLength, dfTitle, dfAbstract, offsets, stats };
}
