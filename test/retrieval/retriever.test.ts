import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import type { Paper } from '../../src/corpus/schema.js';
import { reciprocalRankFusion } from '../../src/retrieval/fusion.js';
import { LexicalIndex } from '../../src/retrieval/lexical/lexical-index.js';
import { HybridRetriever } from '../../src/retrieval/retriever.js';
import { processTerm, stem, STOP_WORDS, terms, words } from '../../src/retrieval/text.js';

const ids = (list: string[]) => list.map((id) => ({ id }));
const order = (hits: { id: string }[]) => hits.map((h) => h.id);

describe('reciprocalRankFusion', () => {
  it('scores each item 1/(k + rank) per list, rank starting at 1', () => {
    const fused = reciprocalRankFusion([ids(['a', 'b', 'c']), ids(['c', 'd'])], 60);
    const byId = new Map(fused.map((h) => [h.id, h]));
    expect(byId.get('a')!.score).toBeCloseTo(1 / 61, 12);
    expect(byId.get('b')!.score).toBeCloseTo(1 / 62, 12);
    expect(byId.get('c')!.score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(byId.get('d')!.score).toBeCloseTo(1 / 62, 12);
    expect(byId.get('a')!.ranks).toEqual([1, null]);
    expect(byId.get('c')!.ranks).toEqual([3, 1]);
    expect(byId.get('d')!.ranks).toEqual([null, 2]);
  });

  it('uses k = 60 by default and honours another k', () => {
    expect(reciprocalRankFusion([ids(['a'])])[0]!.score).toBeCloseTo(1 / 61, 12);
    expect(reciprocalRankFusion([ids(['a', 'b'])], 1)[1]!.score).toBeCloseTo(1 / 3, 12);
  });

  it('puts an item found by both lists above items found by one', () => {
    const fused = reciprocalRankFusion([ids(['a', 'b', 'shared']), ids(['x', 'y', 'shared'])]);
    expect(fused[0]!.id).toBe('shared');
    expect(fused).toHaveLength(5);
    expect(fused.map((h) => h.score)).toEqual([...fused.map((h) => h.score)].sort((p, q) => q - p));
  });

  it('breaks a tie by the earlier list, not by id or by the order items were seen', () => {
    expect(order(reciprocalRankFusion([ids(['z']), ids(['a'])]))).toEqual(['z', 'a']);
    expect(order(reciprocalRankFusion([ids(['a']), ids(['z'])]))).toEqual(['a', 'z']);
    // x and y both score 1/61 + 1/63: x holds its best rank in the first list.
    expect(order(reciprocalRankFusion([ids(['x', 'p', 'y']), ids(['y', 'q', 'x'])]))).toEqual(['x', 'y', 'p', 'q']);
    expect(order(reciprocalRankFusion([ids(['y', 'p', 'x']), ids(['x', 'q', 'y'])]))).toEqual(['y', 'x', 'p', 'q']);
  });

  it('prefers the better best rank among equal scores', () => {
    // With k=0: 'top' at rank 2 in both lists scores 1/2 + 1/2 = 1; 'one' at rank 1 in one list scores 1.
    const fused = reciprocalRankFusion([ids(['one', 'top']), ids(['x', 'top'])], 0);
    const scores = new Map(fused.map((h) => [h.id, h.score]));
    expect(scores.get('top')).toBe(scores.get('one'));
    expect(order(fused).indexOf('one')).toBeLessThan(order(fused).indexOf('top'));
  });

  it('is deterministic: the same lists always fuse to the same order', () => {
    const lists = [ids(['d', 'c', 'b', 'a', 'e']), ids(['a', 'f', 'c', 'g']), ids(['g', 'd'])];
    const first = reciprocalRankFusion(lists);
    for (let i = 0; i < 5; i++) expect(reciprocalRankFusion(lists.map((l) => [...l]))).toEqual(first);
  });

  it('counts an id repeated within a list once, at its best rank', () => {
    const fused = reciprocalRankFusion([ids(['a', 'b', 'a', 'a'])]);
    expect(fused).toHaveLength(2);
    const a = fused.find((h) => h.id === 'a')!;
    expect(a.score).toBeCloseTo(1 / 61, 12);
    expect(a.ranks).toEqual([1]);
    expect(reciprocalRankFusion([ids(['a', 'a']), ids(['a'])])[0]!.score).toBeCloseTo(2 / 61, 12);
  });

  it('handles no lists and empty lists', () => {
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
    expect(reciprocalRankFusion([[], ids(['a'])])).toEqual([{ id: 'a', score: 1 / 61, ranks: [null, 1] }]);
  });
});

describe('text processing', () => {
  it('splits into lowercase alphanumeric words with accents folded, keeping stop words', () => {
    expect(words('The Café-Naïve BAYES, 3D models!')).toEqual(['the', 'cafe', 'naive', 'bayes', '3d', 'models']);
    expect(words('—')).toEqual([]);
  });

  it('stems inflections of a word to one term and leaves numbers alone', () => {
    expect(stem('optimizing')).toBe(stem('optimization'));
    expect(stem('optimize')).toBe(stem('optimization'));
    expect(stem('networks')).toBe(stem('network'));
    expect(stem('learning')).toBe(stem('learned'));
    expect(stem('2024')).toBe('2024');
    expect(stem('transformer')).not.toBe(stem('transport'));
  });

  it('drops general and question stop words', () => {
    for (const w of ['the', 'of', 'and', 'which', 'paper', 'papers', 'what', 'about']) expect(STOP_WORDS.has(w), w).toBe(true);
    for (const w of ['network', 'bayesian', 'graph']) expect(STOP_WORDS.has(w), w).toBe(false);
    expect(terms('Which paper is about the optimization of networks?')).toEqual([stem('optimization'), stem('networks')]);
    expect(terms('the of and which paper')).toEqual([]);
  });

  it('processTerm maps a token to its index term or null', () => {
    expect(processTerm('Networks')).toBe(stem('network'));
    expect(processTerm('The')).toBeNull();
    expect(processTerm('...')).toBeNull();
  });
});

describe('LexicalIndex', () => {
  let papers: Paper[];
  let index: LexicalIndex;

  beforeAll(async () => {
    papers = (await loadCorpus(path.resolve('data/papers.txt'))).papers;
    index = LexicalIndex.build(papers);
  });

  const small = (docs: [string, string, string][]) => docs.map(([id, title, abstract]) => ({ id, title, abstract }));

  it('indexes every paper', () => {
    expect(index.size).toBe(224);
  });

  it('finds a paper first from its exact title, for nearly every paper', () => {
    const misses = papers.filter((p) => index.search(p.title, 1)[0]?.id !== p.id);
    // One title is a word-for-word prefix of another ("Progressive Neural Architecture Search").
    expect(misses.length).toBeLessThanOrEqual(2);
    for (const m of misses) expect(index.search(m.title, 3).map((h) => h.id)).toContain(m.id);
  });

  it('returns at most k hits, best first, with the query terms each matched', () => {
    const hits = index.search('bayesian optimization of hyperparameters', 7);
    expect(hits).toHaveLength(7);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    for (const h of hits) {
      expect(h.terms.length).toBeGreaterThan(0);
      expect(papers.some((p) => p.id === h.id)).toBe(true);
    }
    expect(index.search('bayesian optimization of hyperparameters', 1)).toEqual(hits.slice(0, 1));
  });

  it('gives identical results after toBinary and fromBinary', () => {
    const loaded = LexicalIndex.fromBinary(index.toBinary());
    expect(loaded.size).toBe(index.size);
    const queries = [
      'graph neural networks for molecules',
      'Disentangled Multi-Fidelity Deep Bayesian Active Learning',
      'optimizing networks',
      'hyperparamter optimisation', // misspelt: fuzzy matching must survive the round trip
      'reinforcement learning reward',
      'zzzz qqqq',
    ];
    // Same ids, same scores, same matched terms (the order matched terms are listed in is not meaningful).
    const norm = (hits: { id: string; score: number; terms: string[] }[]) => hits.map((h) => ({ ...h, terms: [...h.terms].sort() }));
    for (const q of queries) expect(norm(loaded.search(q, 20)), q).toEqual(norm(index.search(q, 20)));
    expect(loaded.search('graph neural networks for molecules', 20).length).toBeGreaterThan(0);
  });

  it('matches inflected forms: "optimizing networks" finds "optimization" + "network"', () => {
    const mini = LexicalIndex.build(
      small([
        ['opt', 'Training Methods', 'We analyse the optimization of a deep network on images.'],
        ['cat', 'Feline Behaviour', 'Cats sleep for most of the day and hunt at night.'],
      ]),
    );
    const hits = mini.search('optimizing networks', 10);
    expect(hits.map((h) => h.id)).toEqual(['opt']);
    expect(new Set(hits[0]!.terms)).toEqual(new Set([stem('optimizing'), stem('networks')]));
  });

  it('on the real corpus, "optimizing networks" ranks papers mentioning both first', () => {
    const top = index.search('optimizing networks', 5);
    expect(top).toHaveLength(5);
    for (const h of top) {
      const p = papers.find((x) => x.id === h.id)!;
      const text = `${p.title} ${p.abstract}`.toLowerCase();
      expect(text, p.title).toMatch(/optimi[sz]/);
      expect(text, p.title).toMatch(/network/);
    }
  });

  it('returns nothing for stop words alone', () => {
    expect(index.search('the of and which paper', 10)).toEqual([]);
    expect(index.search('', 10)).toEqual([]);
  });

  it('weights a title match above the same match in the abstract', () => {
    const docs = small([
      ['in-abstract', 'Classical Methods', 'A survey of quantum methods for physical systems.'],
      ['in-title', 'Quantum Methods', 'A survey of classical methods for physical systems.'],
    ]);
    expect(LexicalIndex.build(docs).search('quantum', 10).map((h) => h.id)).toEqual(['in-title', 'in-abstract']);
    // The weight is what does it: turn the title boost below 1 and the order flips.
    expect(LexicalIndex.build(docs, { titleBoost: 0.5 }).search('quantum', 10).map((h) => h.id)).toEqual(['in-abstract', 'in-title']);
  });

  it('orders equal scores by id', () => {
    const docs = small([
      ['c', 'Same Title', 'Same abstract about kernels.'],
      ['a', 'Same Title', 'Same abstract about kernels.'],
      ['b', 'Same Title', 'Same abstract about kernels.'],
    ]);
    expect(LexicalIndex.build(docs).search('kernels', 10).map((h) => h.id)).toEqual(['a', 'b', 'c']);
  });

  it('tolerates a typo in a long word', () => {
    const mini = LexicalIndex.build(small([['t', 'Transformers', 'Attention models for language.'], ['u', 'Unrelated', 'Nothing to see.']]));
    expect(mini.search('transformrs', 5)[0]?.id).toBe('t');
  });
});

describe('HybridRetriever without dense vectors', () => {
  let papers: Paper[];
  let retriever: HybridRetriever;
  let lexical: LexicalIndex;

  beforeAll(async () => {
    papers = (await loadCorpus(path.resolve('data/papers.txt'))).papers;
    lexical = LexicalIndex.build(papers);
    retriever = new HybridRetriever({ papers, lexical });
  });

  it('reports lexical-only operation and its size', async () => {
    expect(retriever.dense).toBe(false);
    expect(retriever.size).toBe(224);
    expect(await retriever.getPaper(papers[5]!.id)).toEqual(papers[5]);
    expect(await retriever.getPaper('no-such-id')).toBeUndefined();
    expect(await retriever.getPapers([papers[7]!.id, 'no-such-id', papers[2]!.id])).toEqual([papers[7], papers[2]]);
  });

  it('returns the lexical ranking with lexical parts only', async () => {
    const query = 'multi-fidelity active learning';
    const hits = await retriever.search(query, 5);
    const lex = lexical.search(query, 5);
    expect(hits.map((h) => h.paper.id)).toEqual(lex.map((h) => h.id));
    hits.forEach((h, i) => {
      expect(h.dense).toBeNull();
      expect(h.lexical).toEqual({ rank: i + 1, score: lex[i]!.score, terms: lex[i]!.terms });
    });
  });

  it('skips index entries for papers no longer in the corpus', async () => {
    const target = papers[0]!;
    const fewer = new HybridRetriever({ papers: papers.filter((p) => p.id !== target.id), lexical });
    const hits = await fewer.search(target.title, 5);
    expect(hits).toHaveLength(5);
    expect(hits.map((h) => h.paper.id)).not.toContain(target.id);
  });

  it('snippets come from the abstract', async () => {
    const p = papers[0]!;
    const [snippet, other] = retriever.snippets([p, papers[1]!], 'surrogate models conditioned on functions');
    expect(snippet!.length).toBeGreaterThan(0);
    expect(snippet!.length).toBeLessThanOrEqual(240);
    expect(p.abstract).toContain(snippet!.replace(/…$/, ''));
    expect(snippet).toMatch(/surrogate/);
    expect(papers[1]!.abstract).toContain(other!.replace(/…$/, ''));
  });
});
