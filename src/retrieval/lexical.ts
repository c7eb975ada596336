import type { Paper } from '../corpus/schema.js';
import { processTerm, STOP_WORDS, words } from './text.js';

/**
 * One ranked lexical hit. `score` is the BM25+ score; `terms` the index terms it matched;
 * `queryTerms` the query's own (analyzed) terms that found it, exactly or through an expansion.
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
   * Edit distance allowed, as a fraction of the term length, for query terms of 6+ characters
   * that the collection never uses (typos, spelling variants). Default 0.2.
   */
  fuzzy?: number;
  /** Weight of fuzzy matches. Default 0.1. */
  fuzzyWeight?: number;
  /** Weight of prefix matches (query terms of 5+ characters the collection never uses). Default 0.3. */
  prefixWeight?: number;
}

/**
 * The scorer's defaults, in one place. BM25+ (Lv & Zhai 2011) with MiniSearch's parameters, the
 * scorer this index replaced: `k1` term-frequency saturation, `b` length normalization, `delta`
 * the floor every occurrence earns.
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

type Doc = Pick<Paper, 'id' | 'title' | 'abstract'>;

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
  let h = 0x811c9dc5; // FNV-1a, 32 bit
  for (const ch of `${ANALYZER_VERSION}|${[...STOP_WORDS].sort().join(',')}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return `${ANALYZER_VERSION}#${(h >>> 0).toString(16)}`;
}

/** What the binary file's header holds (the arrays follow it). */
interface Header {
  format: 1;
  /** Paper ids, by internal document number. */
  ids: string[];
  /** Index terms, sorted (so a term's number is its rank, and a prefix is a contiguous range). */
  terms: string[];
  postings: number;
  options: Required<LexicalIndexOptions>;
}

const MAGIC = 'PCBM25\n';

/** Scratch rows for `levenshteinWithin` (grown on demand; searches are synchronous). */
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Bounded Levenshtein distance: the distance when it is at most `max`, else `max + 1`. */
export function levenshteinWithin(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (rowA.length <= b.length) {
    rowA = new Int32Array(b.length * 2 + 1);
    rowB = new Int32Array(b.length * 2 + 1);
  }
  let prev = rowA;
  let row = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let best = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      row[j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    [prev, row] = [row, prev];
  }
  return Math.min(prev[b.length]!, max + 1);
}

/**
 * BM25+ index over paper titles and abstracts, with English stemming and stop words, kept in
 * typed arrays: for every term, the papers that use it (ascending) and each one's precomputed
 * impact (title and abstract BM25+ summed, the title boosted). A search adds impacts into one
 * preallocated accumulator, term by term, then selects the top k with a k-sized heap: no object
 * per matching paper, no sort of all matches. Query terms also find a few longer terms they begin;
 * only terms the collection never uses are tried at an edit distance (typos).
 *
 * The score of a paper is MiniSearch's (the scorer this replaced): the sum of its matched
 * terms' weighted impacts, times the number of distinct query terms it matched.
 *
 * Built at ingestion, saved with `toBinary()`, loaded with `LexicalIndex.fromBinary()`.
 *
 * @example
 * const index = LexicalIndex.build(papers);
 * await writeFile('lexical.bin', index.toBinary());               // at ingestion
 * const loaded = LexicalIndex.fromBinary(await readFile('lexical.bin')); // at start-up
 * loaded.search('neural operators for PDEs', 10);
 */
export class LexicalIndex {
  private readonly dictionary: TermDictionary;
  // Per-search scratch space, allocated once (searches are synchronous: never shared).
  private readonly acc: Float64Array;
  private readonly matched: Uint16Array;
  private readonly lastSource: Uint32Array;
  private readonly touched: Uint32Array;
  private stamp = 0;

  private constructor(
    private readonly header: Header,
    /** `offsets[t]..offsets[t+1]` is term t's range in `docs` and `impacts`. */
    private readonly offsets: Uint32Array,
    private readonly docs: Uint32Array,
    private readonly impacts: Float32Array,
    /** Each document's rank in id order, for deterministic ties. */
    private readonly idRank: Uint32Array,
  ) {
    this.dictionary = new TermDictionary(header.terms, header.options);
    const n = header.ids.length;
    this.acc = new Float64Array(n);
    this.matched = new Uint16Array(n);
    this.lastSource = new Uint32Array(n);
    this.touched = new Uint32Array(n);
  }

  static build(papers: readonly Doc[], options: LexicalIndexOptions = {}): LexicalIndex {
    const o = { ...pickOptions(LEXICAL_DEFAULTS), ...options };
    const c = analyzeCollection(papers);
    const docs = new Uint32Array(c.rowTerm.length);
    const impacts = new Float32Array(c.rowTerm.length);
    const next = c.offsets.slice(0, c.terms.length);
    // Rows are in document order, so each term's postings come out ascending.
    for (let r = 0; r < c.rowTerm.length; r++) {
      const id = c.rowTerm[r]!;
      const doc = c.rowDoc[r]!;
      const at = next[c.rankOf[id]!]!++;
      docs[at] = doc;
      impacts[at] = bm25PlusImpact(c.stats, o, c.rowTfTitle[r]!, c.dfTitle[id]!, c.titleLength[doc]!, c.rowTfAbstract[r]!, c.dfAbstract[id]!, c.abstractLength[doc]!);
    }
    const ids = papers.map((p) => p.id);
    const header: Header = { format: 1, ids, terms: c.terms.map(([t]) => t), postings: c.rowTerm.length, options: o };
    return new LexicalIndex(header, c.offsets, docs, impacts, rankById(ids));
  }

  /** The index as one binary file: a JSON header (ids, terms, options), then the arrays. */
  toBinary(): Uint8Array {
    const head = new TextEncoder().encode(JSON.stringify(this.header));
    const headStart = MAGIC.length + 4;
    const arraysStart = align8(headStart + head.length);
    const sizes = [this.offsets.byteLength, this.docs.byteLength, this.impacts.byteLength, this.idRank.byteLength];
    const out = new Uint8Array(arraysStart + sizes.reduce((s, x) => s + x, 0));
    out.set(new TextEncoder().encode(MAGIC), 0);
    new DataView(out.buffer).setUint32(MAGIC.length, head.length, true);
    out.set(head, headStart);
    let at = arraysStart;
    for (const a of [this.offsets, this.docs, this.impacts, this.idRank]) {
      out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      at += a.byteLength;
    }
    return out;
  }

  /** Reads what `toBinary()` wrote; throws on anything else (wrong file, truncated, other format). */
  static fromBinary(data: Uint8Array | ArrayBuffer): LexicalIndex {
    let bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (bytes.byteOffset % 8) bytes = bytes.slice(); // typed-array views need aligned offsets
    const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
    if (magic !== MAGIC) throw new Error('not a paper-chat BM25 index (wrong magic bytes)');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headLength = view.getUint32(MAGIC.length, true);
    const headStart = MAGIC.length + 4;
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(headStart, headStart + headLength))) as Header;
    if (header.format !== 1) throw new Error(`BM25 index format ${header.format} is not readable by this version`);
    const n = header.ids.length;
    let at = bytes.byteOffset + align8(headStart + headLength);
    const take = <T>(make: new (b: ArrayBufferLike, o: number, l: number) => T, length: number, width: number): T => {
      if (at + length * width > bytes.byteOffset + bytes.byteLength) throw new Error('the BM25 index file is truncated');
      const a = new make(bytes.buffer, at, length);
      at += length * width;
      return a;
    };
    const offsets = take(Uint32Array, header.terms.length + 1, 4);
    const docs = take(Uint32Array, header.postings, 4);
    const impacts = take(Float32Array, header.postings, 4);
    const idRank = take(Uint32Array, n, 4);
    if (offsets[header.terms.length] !== header.postings) throw new Error('the BM25 index file is inconsistent (postings do not add up)');
    return new LexicalIndex(header, offsets, docs, impacts, idRank);
  }

  get size(): number {
    return this.header.ids.length;
  }

  /** The paper ids, in the order they were indexed. */
  get ids(): readonly string[] {
    return this.header.ids;
  }

  /** How many papers use `term` (an index term: stemmed), in their title or abstract. */
  documentFrequency(term: string): number {
    const t = this.dictionary.number(term);
    return t === undefined ? 0 : this.offsets[t + 1]! - this.offsets[t]!;
  }

  /** Every index term with its document frequency. */
  *vocabulary(): Generator<[string, number]> {
    for (let t = 0; t < this.header.terms.length; t++) yield [this.header.terms[t]!, this.offsets[t + 1]! - this.offsets[t]!];
  }

  /** Top-k papers for a query, best first; ties broken by id so results are deterministic. */
  search(query: string, k: number): LexicalHit[] {
    const sources = analyzeQuery(query);
    const n = this.size;
    if (!sources.size || !n || k <= 0) return [];
    const { acc, matched, lastSource, touched, docs, impacts, offsets } = this;
    const expansions: { source: string; term: number; weight: number }[] = [];
    let touchedCount = 0;
    for (const [source, occurrences] of sources) {
      const sourceStamp = ++this.stamp;
      for (const { term, weight } of this.dictionary.expand(source)) {
        expansions.push({ source, term, weight });
        const w = weight * occurrences;
        for (let p = offsets[term]!, end = offsets[term + 1]!; p < end; p++) {
          const doc = docs[p]!;
          if (lastSource[doc] !== sourceStamp) {
            if (matched[doc] === 0) touched[touchedCount++] = doc;
            lastSource[doc] = sourceStamp;
            matched[doc]!++;
          }
          acc[doc]! += w * impacts[p]!;
        }
      }
    }
    const top = this.selectTop(Math.min(k, touchedCount), touchedCount);
    // Reset the scratch space for the next search (only what this one touched).
    for (let i = 0; i < touchedCount; i++) {
      const doc = touched[i]!;
      acc[doc] = 0;
      matched[doc] = 0;
    }
    return top.map(({ doc, score }) => {
      const queryTerms: string[] = [];
      const matchedTerms: string[] = [];
      for (const { source, term } of expansions) {
        if (!this.contains(term, doc)) continue;
        if (!queryTerms.includes(source)) queryTerms.push(source);
        const name = this.header.terms[term]!;
        if (!matchedTerms.includes(name)) matchedTerms.push(name);
      }
      return { id: this.header.ids[doc]!, score, terms: matchedTerms, queryTerms };
    });
  }

  /** The k best touched documents (score = summed impacts × distinct terms matched), best first. */
  private selectTop(k: number, touchedCount: number): { doc: number; score: number }[] {
    if (k <= 0) return [];
    const { acc, matched, touched, idRank } = this;
    // A min-heap of the k best so far: heap[0] is the worst kept.
    const heapDocs = new Uint32Array(k);
    const heapScores = new Float64Array(k);
    let size = 0;
    const worse = (sa: number, da: number, sb: number, db: number) => sa < sb || (sa === sb && idRank[da]! > idRank[db]!);
    const siftDown = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < size && worse(heapScores[l]!, heapDocs[l]!, heapScores[m]!, heapDocs[m]!)) m = l;
        if (r < size && worse(heapScores[r]!, heapDocs[r]!, heapScores[m]!, heapDocs[m]!)) m = r;
        if (m === i) return;
        [heapScores[i], heapScores[m]] = [heapScores[m]!, heapScores[i]!];
        [heapDocs[i], heapDocs[m]] = [heapDocs[m]!, heapDocs[i]!];
        i = m;
      }
    };
    for (let i = 0; i < touchedCount; i++) {
      const doc = touched[i]!;
      const score = acc[doc]! * matched[doc]!;
      if (size < k) {
        let j = size++;
        heapDocs[j] = doc;
        heapScores[j] = score;
        while (j > 0) {
          const parent = (j - 1) >> 1;
          if (!worse(heapScores[j]!, heapDocs[j]!, heapScores[parent]!, heapDocs[parent]!)) break;
          [heapScores[j], heapScores[parent]] = [heapScores[parent]!, heapScores[j]!];
          [heapDocs[j], heapDocs[parent]] = [heapDocs[parent]!, heapDocs[j]!];
          j = parent;
        }
      } else if (worse(heapScores[0]!, heapDocs[0]!, score, doc)) {
        heapDocs[0] = doc;
        heapScores[0] = score;
        siftDown(0);
      }
    }
    const out = Array.from({ length: size }, (_, i) => ({ doc: heapDocs[i]!, score: heapScores[i]! }));
    return out.sort((a, b) => b.score - a.score || idRank[a.doc]! - idRank[b.doc]!);
  }

  /** Whether document `doc` is in term `term`'s postings (binary search: they are ascending). */
  private contains(term: number, doc: number): boolean {
    let lo = this.offsets[term]!;
    let hi = this.offsets[term + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const d = this.docs[mid]!;
      if (d === doc) return true;
      if (d < doc) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }
}

const align8 = (x: number) => (x + 7) & ~7;

const pickOptions = (d: typeof LEXICAL_DEFAULTS): Required<LexicalIndexOptions> => ({
  titleBoost: d.titleBoost,
  fuzzy: d.fuzzy,
  fuzzyWeight: d.fuzzyWeight,
  prefixWeight: d.prefixWeight,
});

/** Each document's position when the ids are sorted (ties in score go to the smaller id). */
function rankById(ids: readonly string[]): Uint32Array {
  const order = ids.map((_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  const rank = new Uint32Array(ids.length);
  order.forEach((doc, r) => (rank[doc] = r));
  return rank;
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
export function analyzeFields(p: Doc): AnalyzedFields {
  const field = (text: string) => {
    const tokens = words(text);
    return { terms: tokens.map(processTerm).filter((t): t is string => t !== null), length: new Set(tokens).size };
  };
  const title = field(p.title);
  const abstract = field(p.abstract);
  return { titleTerms: title.terms, abstractTerms: abstract.terms, titleLength: title.length, abstractLength: abstract.length };
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
export function lexicalDictionary(papers: readonly Doc[], options: LexicalIndexOptions = {}): LexicalDictionaryData {
  const c = analyzeCollection(papers);
  const byRank = (perId: Uint32Array) => c.terms.map(([, id]) => perId[id]!);
  return {
    format: 1,
    terms: c.terms.map(([t]) => t),
    df: c.terms.map((_, rank) => c.offsets[rank + 1]! - c.offsets[rank]!),
    dfTitle: byRank(c.dfTitle),
    dfAbstract: byRank(c.dfAbstract),
    stats: c.stats,
    options: { ...pickOptions(LEXICAL_DEFAULTS), ...options },
  };
}

/**
 * Every (term, paper) pair of a collection with its per-field term frequencies, the per-field
 * document frequencies, each term's place in rank (alphabetical) order, and the statistics.
 */
function analyzeCollection(papers: readonly Doc[]) {
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
  const terms = termNames.map((t, id) => [t, id] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
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

/** A query term's expansion: an index term (its number in sorted order) and its weight. */
export interface Expansion {
  term: number;
  weight: number;
}

/**
 * The sorted index terms, and how a query term expands over them (exactly, by prefix, by edit
 * distance). Shared by every store, so a query finds the same terms with the same weights.
 */
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
          const distance = levenshteinWithin(source, term, maxDistance);
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
