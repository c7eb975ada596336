import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { loadCorpus } from '../../../src/corpus/load.js';
import { buildApp } from '../../../src/node.js';
import type { InProcessApp } from '../../helpers/app.js';
import { writeTinyModel } from '../../fixtures/tiny-model.js';

// The whole app on the dense path, in process: a real ONNX model (generated, tiny) loaded by
// transformers.js offline, embeddings in vectra, queries fused with BM25 by the weight the
// calibration learned.
describe('the app with an embedding model', () => {
  let tmp: string;
  let app: InProcessApp;
  let denseWeight: number;
  const post = async (route: string, body: unknown) => {
    const res = await app.request(route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'paper-chat-dense-'));
    const corpus = await loadCorpus('data/papers.txt');
    const { modelId } = await writeTinyModel(join(tmp, 'models'), corpus.papers.flatMap((p) => [p.title, p.abstract]), { dim: 64 });
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', INDEX_DIR: join(tmp, 'index'), MODELS_DIR: join(tmp, 'models'), EMBEDDING_MODEL: modelId, ALLOW_REMOTE_MODELS: 'false', RATE_LIMIT_PER_MINUTE: '0', DATABASE_PATH: ':memory:' });
    const built = await buildApp(config, () => {});
    app = built.app;
    denseWeight = built.index.calibration.denseWeight;
  }, 120_000);
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reports dense retrieval on /health', async () => {
    const health = (await (await app.request('/health')).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', papers: 224, dense: true });
    expect(String(health.embedder)).toContain('test/tiny-bert');
    expect(health.denseUnavailable).toBeUndefined();
  });

  it('fuses by weighted reciprocal rank: scores within the weights’ bound, and an exact title still first', async () => {
    const title = 'In-Context Freeze-Thaw Bayesian Optimization for Hyperparameter Optimization';
    const { status, body } = await post('/api/search', { query: title, k: 5 });
    expect(status).toBe(200);
    expect(body.results[0].title).toBe(title);
    // k = 60, the lexical list weighing 1 and the dense list `denseWeight`: a score is at most (1 + w) / 61.
    for (const r of body.results) expect(r.score).toBeLessThanOrEqual((1 + denseWeight) / 61 + 1e-6);
    // First in the lexical list: at least 1 / 61.
    expect(body.results[0].score).toBeGreaterThanOrEqual(1 / 61 - 1e-6);
    const scores = body.results.map((r: { score: number }) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('answers with citations and still abstains on an off-topic question', async () => {
    const answered = await post('/api/chat', { messages: [{ role: 'user', content: 'How much faster are FT-PFN predictions than deep Gaussian processes?' }] });
    expect(answered.body.abstained).toBe(false);
    // The tiny model's vectors are noise, so fusion may put another paper first; the paper that answers is cited.
    expect(answered.body.citations.map((c: { title: string }) => c.title)).toContain('In-Context Freeze-Thaw Bayesian Optimization for Hyperparameter Optimization');
    const offTopic = await post('/api/chat', { messages: [{ role: 'user', content: 'How do I bake sourdough bread at home?' }] });
    expect(offTopic.body.abstained).toBe(true);
    expect(offTopic.body.citations).toEqual([]);
  });
});
