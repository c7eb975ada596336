/**
 * The fake embedder (benchmarks and tests only): deterministic unit vectors of the asked dimension,
 * different texts apart.
 */
import { describe, expect, it } from 'vitest';
import { createFakeEmbedder } from '../../src/retrieval/fake-embedder.js';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('createFakeEmbedder', () => {
  it('names its vector space fake:<dim> and respects the dimension', async () => {
    for (const dim of [1, 3, 384, 1024]) {
      const e = createFakeEmbedder(dim);
      expect(e.id).toBe(`fake:${dim}`);
      expect(e.dim).toBe(dim);
      expect(await e.embedQuery('a question')).toHaveLength(dim);
      const docs = await e.embedDocuments(['one', 'two', 'three']);
      expect(docs).toHaveLength(3);
      for (const v of docs) expect(v).toHaveLength(dim);
    }
  });

  it('is deterministic: the same text gives the same vector, across instances and as query or document', async () => {
    const a = createFakeEmbedder(384);
    const b = createFakeEmbedder(384);
    const text = 'Neural operators learn solution maps of PDEs.';
    const first = await a.embedQuery(text);
    expect(await a.embedQuery(text)).toEqual(first);
    expect(await b.embedQuery(text)).toEqual(first);
    expect((await b.embedDocuments(['other', text]))[1]).toEqual(first);
  });

  it('gives the same numbers on every platform and release (pinned values)', async () => {
    // FNV-1a's own reference values: test/util/hash.test.ts.
    const v = await createFakeEmbedder(4).embedQuery('graph neural networks');
    const pinned = [0.2161371560199705, 0.01968077608625065, -0.9070158268574664, 0.3608596495457873];
    v.forEach((x, i) => expect(x).toBeCloseTo(pinned[i]!, 12));
  });

  it('returns unit-length vectors, the empty text and long texts included', async () => {
    const e = createFakeEmbedder(384);
    const texts = ['', 'x', 'ünïcödé 数学 🙂', 'word '.repeat(5000), ...Array.from({ length: 50 }, (_, i) => `text number ${i}`)];
    for (const v of await e.embedDocuments(texts)) {
      expect(norm(v)).toBeCloseTo(1, 10);
      expect(v.every(Number.isFinite)).toBe(true);
    }
  });

  it('gives distinct texts distinct, nearly orthogonal vectors (in 384 dimensions)', async () => {
    const e = createFakeEmbedder(384);
    const texts = ['graph neural networks', 'graph neural network', 'Graph neural networks', 'graph neural networks ', ...Array.from({ length: 40 }, (_, i) => `paper ${i}`)];
    const vectors = await e.embedDocuments(texts);
    const seen = new Set(vectors.map((v) => v.join(',')));
    expect(seen.size).toBe(texts.length);
    let maxCos = 0;
    for (let i = 0; i < vectors.length; i++) for (let j = i + 1; j < vectors.length; j++) maxCos = Math.max(maxCos, Math.abs(dot(vectors[i]!, vectors[j]!)));
    // Random unit vectors in 384 dimensions: |cos| has a standard deviation of about 0.05.
    expect(maxCos).toBeLessThan(0.35);
  });

  it('refuses a dimension that is not a positive integer', () => {
    for (const dim of [0, -1, 1.5, Number.NaN, 1e9]) expect(() => createFakeEmbedder(dim)).toThrow(/dimension/);
  });
});
