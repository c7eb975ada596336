/**
 * The Worker's records in D1: the bundled Worker (test/helpers/worker-bundle.ts) with a real local
 * D1 (Miniflare's, workerd's SQLite, persisted to a folder) bound as FEEDBACK_DB. Answers are
 * recorded, feedback is taken and gaps are logged; a new isolate over the same database (the
 * Worker restarted) still knows them.
 */
import { Miniflare } from 'miniflare';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { ingest } from '../../src/ingest/ingest.js';
import type { CoverageReport } from '../../src/insights/report.js';
import type { ChatResult } from '../../src/protocol/chat.js';
import { bundleWorker, importWorker } from '../helpers/worker-bundle.js';

const ADMIN_TOKEN = 'worker-admin-token-0123456789';
let dir: string;
let bundle: string;
let assets: { fetch(url: string): Promise<Response> };

/** A local D1 kept in `dir/d1`: the same database each time it is opened. */
function localD1() {
  return new Miniflare({ modules: true, script: 'export default { fetch: () => new Response("") }', d1Databases: ['FEEDBACK_DB'], d1Persist: join(dir, 'd1') });
}

const post = (path: string, body: unknown) => new Request(`http://worker.test${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paper-chat-worker-d1-'));
  const indexDir = join(dir, 'index');
  await ingest({ corpus: await loadCorpus('data/papers.txt'), corpusPath: 'data/papers.txt', indexDir, embedding: { embedder: null, error: 'none' } });
  bundle = await bundleWorker(dir);
  assets = { fetch: async (url: string) => new Response(await readFile(join(indexDir, new URL(url).pathname.slice(1)))) };
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Workers: feedback and gaps in D1 (FEEDBACK_DB)', () => {
  it('records, takes feedback and logs gaps; a restarted Worker over the same D1 still knows the answer', async () => {
    const question = 'What is FT-PFN, the surrogate for freeze-thaw Bayesian optimization?';
    let answer: ChatResult;
    let mf = localD1();
    try {
      const worker = await importWorker(bundle);
      const env = { ASSETS: assets, FEEDBACK_DB: await mf.getD1Database('FEEDBACK_DB'), ADMIN_TOKEN };
      expect(((await (await worker.fetch(new Request('http://worker.test/health'), env, {})).json()) as { feedback: boolean }).feedback).toBe(true);
      answer = (await (await worker.fetch(post('/api/chat', { messages: [{ role: 'user', content: question }] }), env, {})).json()) as ChatResult;
      expect(answer.abstained).toBe(false);
      expect((await worker.fetch(post('/api/feedback', { signature: answer.signature, vote: 'up' }), env, {})).status).toBe(201);
      expect((await worker.fetch(post('/api/feedback', { signature: 'f'.repeat(64), vote: 'up' }), env, {})).status).toBe(404);
      await worker.fetch(post('/api/chat', { messages: [{ role: 'user', content: 'How long should a rye sourdough loaf proof?' }] }), env, {});
    } finally {
      await mf.dispose();
    }

    mf = localD1();
    try {
      const worker = await importWorker(bundle);
      const env = { ASSETS: assets, FEEDBACK_DB: await mf.getD1Database('FEEDBACK_DB'), ADMIN_TOKEN };
      const again = await worker.fetch(post('/api/feedback', { signature: answer.signature, vote: 'down', citation: answer.citations[0]!.id }), env, {});
      expect(again.status).toBe(201);
      const res = await worker.fetch(new Request('http://worker.test/admin', { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'application/json' } }), env, {});
      expect(res.status).toBe(200);
      const report = (await res.json()) as CoverageReport;
      expect(report.gaps).toBe(1);
      expect(report.topics[0]!.examples).toEqual(['How long should a rye sourdough loaf proof?']);
      expect(report.feedback).toMatchObject({ up: 1, down: 1 });
      expect(report.feedback.byPaper[0]).toMatchObject({ paper: answer.citations[0]!.id, wrongCitation: 1 });
      expect(report.neverCited!.total).toBe(224 - answer.citations.length);
    } finally {
      await mf.dispose();
    }
  });

  it('without the binding nothing is kept: /health says feedback is off and the route does not exist', async () => {
    const worker = await importWorker(bundle);
    const env = { ASSETS: assets };
    expect(((await (await worker.fetch(new Request('http://worker.test/health'), env, {})).json()) as { feedback: boolean }).feedback).toBe(false);
    expect((await worker.fetch(post('/api/feedback', { signature: 'f'.repeat(64), vote: 'up' }), env, {})).status).toBe(404);
  });
});
