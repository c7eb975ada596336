/**
 * The typed-array BM25 index against MiniSearch, the engine it replaced (kept as a devDependency
 * for this comparison), on the real corpus; plus its file format.
 */
import MiniSearch from 'minisearch';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../../src/corpus/load.js';
import type { Paper } from '../../../src/corpus/schema.js';
import { LEXICAL_DEFAULTS } from '../../../src/retrieval/lexical/bm25.js';
import { LexicalIndex } from '../../../src/retrieval/lexical/lexical-index.js';
import { processTerm, words } from '../../../src/retrieval/text.js';
import { byScoreThenId } from '../../../src/util/compare.js';
import { mulberry32 } from '../../../src/util/prng.js';

let papers: Paper[];
let index: LexicalIndex;
let reference: MiniSearch<Pick<Paper, 'id' | 'title' | 'abstract'>>;
let vocabulary: Set<string>;

/** MiniSearch configured as this app used it: the same analysis, BM25+, title boost, fuzzy and prefix weights. */
function referenceSearch(q: string, k: number) {
  return reference
    .search(q, {
      boost: { title: LEXICAL_DEFAULTS.titleBoost },
      fuzzy: (t) => (t.length >= LEXICAL_DEFAULTS.fuzzyMinLength && !vocabulary.has(t) ? LEXICAL_DEFAULTS.fuzzy : false),
      weights: { fuzzy: LEXICAL_DEFAULTS.fuzzyWeight, prefix: LEXICAL_DEFAULTS.prefixWeight },
      prefix: (t) => t.length >= LEXICAL_DEFAULTS.prefixMinLength,
      combineWith: 'OR',
    })
    .sort(byScoreThenId)
    .slice(0, k);
}

/** Deterministic queries made from the corpus itself: sentence fragments of 3 to 40 words. */
function corpusQueries(count: number): string[] {
  const rand = mulberry32(7);
  return Array.from({ length: count }, () => {
    const p = papers[Math.floor(rand() * papers.length)]!;
    const w = words(p.abstract);
    const len = 3 + Math.floor(rand() * 38);
    const start = Math.floor(rand() * Math.max(1, w.length - len));
    return w.slice(start, start + len).join(' ');
  });
}

beforeAll(async () => {
  papers = (await loadCorpus(path.resolve('data/papers.txt'))).papers;
  index = LexicalIndex.build(papers);
  reference = new MiniSearch({ fields: ['title', 'abstract'], idField: 'id', tokenize: words, processTerm });
  reference.addAll(papers.map(({ id, title, abstract }) => ({ id, title, abstract })));
  vocabulary = new Set([...index.vocabulary()].map(([t]) => t));
});

describe('LexicalIndex against MiniSearch (same BM25+ scoring)', () => {
  it('ranks the same papers with the same scores for 300 queries made from the corpus', () => {
    let sameTop = 0;
    let overlap = 0;
    let worstScore = 0;
    const queries = corpusQueries(300);
    for (const q of queries) {
      const ours = index.search(q, 10);
      const theirs = referenceSearch(q, 10);
      if (ours[0]?.id === theirs[0]?.id) sameTop++;
      overlap += ours.filter((h) => theirs.some((r) => r.id === h.id)).length / Math.max(1, theirs.length);
      const byId = new Map(theirs.map((r) => [r.id, r.score]));
      for (const h of ours) if (byId.has(h.id)) worstScore = Math.max(worstScore, Math.abs(h.score - byId.get(h.id)!) / byId.get(h.id)!);
    }
    console.log(`vs MiniSearch: same first paper ${sameTop}/300, mean overlap@10 ${(overlap / 300).toFixed(3)}, largest relative score difference ${worstScore.toExponential(1)}`);
    expect(sameTop).toBeGreaterThanOrEqual(297);
    expect(overlap / 300).toBeGreaterThanOrEqual(0.98);
  });

  it('is several times faster than MiniSearch on the same queries, measured side by side', () => {
    const queries = corpusQueries(200);
    const time = (run: (q: string) => unknown) => {
      const t0 = performance.now();
      for (let r = 0; r < 3; r++) for (const q of queries) run(q);
      return performance.now() - t0;
    };
    time((q) => index.search(q, 50)); // warm both up
    time((q) => referenceSearch(q, 50));
    const ours = time((q) => index.search(q, 50));
    const theirs = time((q) => referenceSearch(q, 50));
    console.log(`600 searches: typed-array index ${ours.toFixed(0)} ms, MiniSearch ${theirs.toFixed(0)} ms (${(theirs / ours).toFixed(1)}x)`);
    expect(ours).toBeLessThan(theirs);
  });

  it('matches a typo of a long word through edit distance, and only for terms the corpus never uses', () => {
    const hits = index.search('hyperparamter', 5);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.queryTerms).toEqual([processTerm('hyperparamter')]);
    expect(hits[0]!.terms).toContain(processTerm('hyperparameter'));
    // "network" is a known term: no edit-distance neighbours ("networks" stems to it anyway).
    for (const h of index.search('network', 20)) expect(h.terms).toEqual(['network']);
  });
});

describe('LexicalIndex file format', () => {
  it('round-trips through toBinary/fromBinary, also from an unaligned buffer', () => {
    const bin = index.toBinary();
    const shifted = new Uint8Array(bin.length + 3);
    shifted.set(bin, 3);
    for (const loaded of [LexicalIndex.fromBinary(bin), LexicalIndex.fromBinary(shifted.subarray(3))]) {
      expect(loaded.size).toBe(papers.length);
      expect(loaded.ids).toEqual(papers.map((p) => p.id));
      for (const q of corpusQueries(20)) expect(loaded.search(q, 10)).toEqual(index.search(q, 10));
    }
  });

  it('refuses another file, a truncated one, and inconsistent postings', () => {
    const bin = index.toBinary();
    expect(() => LexicalIndex.fromBinary(new TextEncoder().encode('{"documentCount": 3}'))).toThrow(/not a paper-chat BM25 index/);
    expect(() => LexicalIndex.fromBinary(bin.subarray(0, bin.length - 100))).toThrow(/truncated/);
  });

  it('gives document frequencies (title or abstract) for IDF weighting', () => {
    const term = processTerm('transformer')!;
    const expected = papers.filter((p) => words(`${p.title} ${p.abstract}`).some((w) => processTerm(w) === term)).length;
    expect(index.documentFrequency(term)).toBe(expected);
    expect(index.documentFrequency('zzzqqq')).toBe(0);
  });
});
