import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, pipeline } from '@xenova/transformers';
import { writeTinyModel } from '../../fixtures/tiny-model.js';

const TEXTS = [
  'Graph neural networks learn node representations.',
  'Protein folding predicted with deep attention models.',
  'Quantum error correction improves qubit fidelity.',
  'Reinforcement learning agents play Atari games.',
  'Climate simulations forecast regional rainfall patterns.',
];
// Two words taken from each text (same order as TEXTS).
const QUERIES = ['graph node', 'protein folding', 'qubit fidelity', 'atari agents', 'rainfall climate'];

interface Embeddings {
  dims: number[];
  data: Float32Array;
}
type Extractor = ((texts: string | string[], opts: { pooling: 'cls'; normalize: boolean }) => Promise<Embeddings>) & {
  tokenizer: { encode(text: string): number[] };
};

function rows(t: Embeddings): Float32Array[] {
  const [n, d] = t.dims as [number, number];
  return Array.from({ length: n }, (_, i) => t.data.slice(i * d, (i + 1) * d));
}
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('tiny BERT fixture model', () => {
  let root: string;
  let modelId: string;
  let dim: number;
  let extractor: Extractor;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tiny-model-'));
    ({ modelId, dim } = await writeTinyModel(root, TEXTS));
    env.allowRemoteModels = false;
    env.localModelPath = root;
    // The pipeline's declared type is a union of all pipelines; narrow to what we use.
    extractor = (await pipeline('feature-extraction', modelId)) as unknown as Extractor;
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes the expected files', async () => {
    const dir = path.join(root, modelId);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']) {
      expect((await stat(path.join(dir, f))).size).toBeGreaterThan(0);
    }
  });

  it('embeds a batch to [n, dim] unit vectors', async () => {
    const out = await extractor(TEXTS, { pooling: 'cls', normalize: true });
    expect(out.dims).toEqual([TEXTS.length, dim]);
    for (const v of rows(out)) expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
  });

  it('ranks each text first for a query made of two of its words', async () => {
    const docs = rows(await extractor(TEXTS, { pooling: 'cls', normalize: true }));
    const queries = rows(await extractor(QUERIES, { pooling: 'cls', normalize: true }));
    queries.forEach((q, i) => {
      const own = dot(q, docs[i]!);
      docs.forEach((d, j) => {
        if (j !== i) expect(own, `query "${QUERIES[i]}" vs text ${j}`).toBeGreaterThan(dot(q, d));
      });
    });
  });

  it('gives the same embedding alone as inside a padded batch', async () => {
    const batch = rows(await extractor(TEXTS, { pooling: 'cls', normalize: true }));
    const single = rows(await extractor(TEXTS[3]!, { pooling: 'cls', normalize: true }))[0]!;
    expect(dot(single, batch[3]!)).toBeCloseTo(1, 5);
  });

  it('maps unknown words to [UNK] without throwing', async () => {
    // [CLS]=2, [UNK]=1, [SEP]=3; "graph" is in the vocabulary (id >= 5).
    const ids = extractor.tokenizer.encode('Zyzzyva xylophones GRAPH');
    expect(ids.slice(0, 3)).toEqual([2, 1, 1]);
    expect(ids[3]).toBeGreaterThanOrEqual(5);
    expect(ids[4]).toBe(3);
    const out = await extractor('zyzzyva xylophones', { pooling: 'cls', normalize: true });
    expect(out.dims).toEqual([1, dim]);
    expect(Array.from(out.data).every(Number.isFinite)).toBe(true);
  });

  it('also loads the non-quantized file', async () => {
    const fp32 = (await pipeline('feature-extraction', modelId, { quantized: false })) as unknown as Extractor;
    const a = rows(await fp32(TEXTS[0]!, { pooling: 'cls', normalize: true }))[0]!;
    const b = rows(await extractor(TEXTS[0]!, { pooling: 'cls', normalize: true }))[0]!;
    expect(dot(a, b)).toBeCloseTo(1, 5);
  });
});
