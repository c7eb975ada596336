import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { ingest } from '../../src/ingest/ingest.js';
import { bundleWorker, importWorker, type BundledWorker } from '../helpers/worker-bundle.js';

// The Hono app must build for Cloudflare Workers: no Node built-ins, no onnxruntime, no fs.
// Bundle src/worker.ts for a browser-like platform (esbuild refuses node: imports there), then
// run the bundle with an ASSETS binding that serves a real index.
describe('Workers entry', () => {
  let dir: string;
  let worker: BundledWorker;
  let env: Record<string, unknown>;
  let out: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paper-chat-worker-'));
    const indexDir = join(dir, 'index');
    await ingest({ corpus: await loadCorpus('data/papers.txt'), corpusPath: 'data/papers.txt', indexDir, embedding: { embedder: null, error: 'none' } });
    out = await bundleWorker(dir);
    worker = await importWorker(out);
    env = {
      ALLOWED_ORIGINS: '',
      ASSETS: { fetch: async (url: string) => new Response(await readFile(join(indexDir, new URL(url).pathname.slice(1)))) },
    };
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('bundles without Node built-ins and serves /health from the index', async () => {
    const res = await worker.fetch(new Request('http://worker.test/health'), env, {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', papers: 224, dense: false, llm: 'extractive' });
  });

  it('answers a question with citations', async () => {
    const res = await worker.fetch(
      new Request('http://worker.test/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'What is FT-PFN, the surrogate for freeze-thaw Bayesian optimization?' }] }),
      }),
      env,
      {},
    );
    const body = (await res.json()) as { answer: string; citations: { title: string }[]; abstained: boolean };
    expect(body.abstained).toBe(false);
    expect(body.citations[0]?.title).toBe('In-Context Freeze-Thaw Bayesian Optimization for Hyperparameter Optimization');
  });

  it('answers 503 with what to do when the deployment cannot serve (D1 mode without its binding), then recovers once it can', async () => {
    // A fresh instance of the module: the app it builds is kept per isolate.
    const fresh = await importWorker(out);
    const broken = await fresh.fetch(new Request('http://worker.test/health'), { ...env, INDEX_STORAGE: 'd1' }, {});
    expect(broken.status).toBe(503);
    expect(broken.headers.get('retry-after')).toBe('30');
    const body = (await broken.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('not_configured');
    expect(body.error.message).toMatch(/D1 binding named DB/);
    expect(body.error.message).not.toMatch(/\bat \w+ \(|\.ts:\d+/); // no stack trace
    // The failed start is not kept: the next request, with the setting fixed, is served.
    expect((await fresh.fetch(new Request('http://worker.test/health'), env, {})).status).toBe(200);
  });
});
