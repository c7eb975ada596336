import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/corpus/load.js';
import { startServer, type RunningServer } from '../src/node.js';
import { writeTinyModel } from './fixtures/tiny-model.js';

// The whole server on the dense path: a real ONNX model (generated, tiny) loaded by
// transformers.js offline, embeddings in vectra, queries fused with BM25.
describe('server with an embedding model', () => {
  let tmp: string;
  let server: RunningServer;
  const post = async (route: string, body: unknown) => {
    const res = await fetch(server.url + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'paper-chat-dense-'));
    const corpus = await loadCorpus('data/papers.txt');
    const { modelId } = await writeTinyModel(join(tmp, 'models'), corpus.papers.flatMap((p) => [p.title, p.abstract]), { dim: 64 });
    server = await startServer(
      { ...process.env, PORT: '0', HOST: '127.0.0.1', INDEX_DIR: join(tmp, 'index'), MODELS_DIR: join(tmp, 'models'), EMBEDDING_MODEL: modelId, ALLOW_REMOTE_MODELS: 'false', OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
      () => {},
    );
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('reports dense retrieval on /health', async () => {
    const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', papers: 224, dense: true });
    expect(String(health.embedder)).toContain('test/tiny-bert');
    expect(health.denseUnavailable).toBeUndefined();
  });

  it('fuses scores: results carry reciprocal-rank scores, and an exact title still comes first', async () => {
    const title = 'In-Context Freeze-Thaw Bayesian Optimization for Hyperparameter Optimization';
    const { status, body } = await post('/api/search', { query: title, k: 5 });
    expect(status).toBe(200);
    expect(body.results[0].title).toBe(title);
    // RRF over two lists with k = 60: a score is at most 2 / 61 (scores are rounded to 6 places).
    for (const r of body.results) expect(r.score).toBeLessThanOrEqual(2 / 61 + 1e-6);
    expect(body.results[0].score).toBeGreaterThan(1 / 61); // first in both lists
  });

  it('answers with citations and still abstains on an off-topic question', async () => {
    const answered = await post('/api/chat', { messages: [{ role: 'user', content: 'How much faster is FT-PFN than deep Gaussian process surrogates?' }] });
    expect(answered.body.abstained).toBe(false);
    // The tiny model's vectors are noise, so fusion may put another paper first; the paper that answers is cited.
    expect(answered.body.citations.map((c: { title: string }) => c.title)).toContain('In-Context Freeze-Thaw Bayesian Optimization for Hyperparameter Optimization');
    const offTopic = await post('/api/chat', { messages: [{ role: 'user', content: 'How do I bake sourdough bread at home?' }] });
    expect(offTopic.body.abstained).toBe(true);
    expect(offTopic.body.citations).toEqual([]);
  });
});
