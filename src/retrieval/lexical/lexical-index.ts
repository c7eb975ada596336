import { compareIds } from '../../util/compare.js';
import { analyzeCollection, analyzeQuery, type LexicalDoc } from './analyzer.js';
import { bm25PlusImpact, resolveLexicalOptions, type LexicalIndexOptions } from './bm25.js';
import { decodeLexical, encodeLexical, type LexicalHeader, type LexicalParts } from './format.js';
import { TermDictionary } from './term-dictionary.js';

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

/**
 * BM25+ index over paper titles and abstracts, with English stemming and stop words, kept in
 * typed arrays: for every term, the papers that use it (ascending) and each one's precomputed
 * impact (title and abstract BM25+ summed, the title boosted). A search adds impacts into one
 * preallocated accumulator, term by term, then selects the top k with a k-sized heap: no object
 * per matching paper, no sort of all matches. Every query term of 5+ characters also finds a few
 * longer terms it begins; only terms the collection never uses are tried at an edit distance
 * (typos). See `TermDictionary.expand`.
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
  private readonly header: LexicalHeader;
  /** `offsets[t]..offsets[t+1]` is term t's range in `docs` and `impacts`. */
  private readonly offsets: Uint32Array;
  private readonly docs: Uint32Array;
  private readonly impacts: Float32Array;
  private readonly idRank: Uint32Array;
  private readonly dictionary: TermDictionary;
  // Per-search scratch space, allocated once (searches are synchronous: never shared).
  private readonly acc: Float64Array;
  private readonly matched: Uint16Array;
  private readonly lastSource: Uint32Array;
  private readonly touched: Uint32Array;
  private stamp = 0;

  private constructor({ header, offsets, docs, impacts, idRank }: LexicalParts) {
    this.header = header;
    this.offsets = offsets;
    this.docs = docs;
    this.impacts = impacts;
    this.idRank = idRank;
    this.dictionary = new TermDictionary(this.header.terms, this.header.options);
    const n = this.header.ids.length;
    this.acc = new Float64Array(n);
    this.matched = new Uint16Array(n);
    this.lastSource = new Uint32Array(n);
    this.touched = new Uint32Array(n);
  }

  static build(papers: readonly LexicalDoc[], options: LexicalIndexOptions = {}): LexicalIndex {
    const o = resolveLexicalOptions(options);
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
    const header: LexicalHeader = { format: 1, ids, terms: c.terms.map(([t]) => t), postings: c.rowTerm.length, options: o };
    return new LexicalIndex({ header, offsets: c.offsets, docs, impacts, idRank: rankById(ids) });
  }

  /** The index as one binary file (see `format.ts`). */
  toBinary(): Uint8Array {
    const { header, offsets, docs, impacts, idRank } = this;
    return encodeLexical({ header, offsets, docs, impacts, idRank });
  }

  /** Reads what `toBinary()` wrote; throws on anything else (wrong file, truncated, other format). */
  static fromBinary(data: Uint8Array | ArrayBuffer): LexicalIndex {
    return new LexicalIndex(decodeLexical(data));
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

/** Each document's position when the ids are sorted (ties in score go to the smaller id). */
function rankById(ids: readonly string[]): Uint32Array {
  const order = ids.map((_, i) => i).sort((a, b) => compareIds(ids[a]!, ids[b]!));
  const rank = new Uint32Array(ids.length);
  order.forEach((doc, r) => (rank[doc] = r));
  return rank;
}
