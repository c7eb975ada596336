/**
 * The Worker in workerd (`wrangler dev`, local, offline) against the Node server on the same index,
 * in both storage modes: the index files as static assets (bundled), and D1 loaded with the SQL of
 * `npm run deploy:data` (run by `wrangler d1 execute --local`). Each mode runs lexical, and hybrid
 * with the Vectorize and Workers AI bindings given by in-test implementations (wrangler cannot
 * emulate them offline) that answer with the real embedding model and real cosine over the index's
 * vectors. The same HTTP cases run against the Worker and Node: health, search on every dev
 * question (same ids, same order, same scores), papers, chats (JSON and streamed), page, widget.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCorpus } from '../../src/corpus/load.js';
import { syntheticCorpus } from '../../src/corpus/synthetic.js';
import { planExport } from '../../src/ingest/deploy-data.js';
import { loadIndex } from '../../src/platform/node/index-files.js';
import { startServer, type RunningServer } from '../../src/node.js';
import { loadEmbedder } from '../../src/platform/node/load-embedder.js';
import { baseEnv, chatJson, chatStream, makeDirs, paper, search, user, type TestDirs } from '../helpers/app.js';
import { describeMissingModel, MODELS_DIR, PYPI_MODEL, realModel } from '../helpers/real-models.js';
import { chatEvents, expectChatStreamOrder } from '../helpers/sse.js';
import { AI_AND_VECTORIZE_BINDINGS, bindingsConfig, D1_BINDING, loadLocalD1, startBindingBackend, startWrangler, workerConfig, type RunningWorker } from '../helpers/wrangler.js';

/**
 * The questions searched on both: the shared dev set's (each question's own text; follow-ups too,
 * as standalone searches) when it is beside the repository, and questions made from the corpus
 * (titles, runs of abstract words) always.
 */
const DEV_SET = resolve('../shared/eval/dev.jsonl');
const devQuestions = existsSync(DEV_SET)
  ? readFileSync(DEV_SET, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { question: string }).question)
  : [];
const corpusQuestions = parseCorpus(readFileSync('data/papers.txt', 'utf8'), 'txt').papers
  .filter((_, i) => i % 11 === 0)
  .flatMap((p) => [p.title, p.abstract.split(/\s+/).slice(5, 17).join(' ')]);
const DEV_QUESTIONS = [...devQuestions, ...corpusQuestions];

interface Mode {
  name: string;
  storage: 'assets' | 'd1';
  dense: boolean;
  /** A larger corpus: the real papers and synthetic ones recombined from them (src/corpus/synthetic.ts). */
  papers?: number;
}

const MODES: Mode[] = [
  { name: 'bundled (static assets), lexical', storage: 'assets', dense: false },
  { name: 'D1, lexical', storage: 'd1', dense: false },
  // Where a question matches a fraction of the papers, not nearly all of them.
  { name: 'D1, lexical, 3,000 papers', storage: 'd1', dense: false, papers: 3000 },
  { name: 'bundled (static assets) + Vectorize + Workers AI, hybrid', storage: 'assets', dense: true },
  { name: 'D1 + Vectorize + Workers AI, hybrid', storage: 'd1', dense: true },
];

const model = realModel(PYPI_MODEL);

for (const mode of MODES) {
  if (mode.dense && !model.present) {
    describeMissingModel(`the Worker, ${mode.name}`, model.reason);
    continue;
  }
  describe(`the Worker under wrangler dev, ${mode.name}, beside the Node server`, () => {
    let dirs: TestDirs;
    let tmp: string;
    let node: RunningServer;
    let worker: RunningWorker;
    let backend: Awaited<ReturnType<typeof startBindingBackend>> | null = null;

    beforeAll(async () => {
      dirs = await makeDirs(`wrangler-${mode.storage}`);
      tmp = await mkdtemp(join(tmpdir(), 'wrangler-'));
      const env = mode.dense ? { ...baseEnv(dirs), MODELS_DIR, EMBEDDING_MODEL: PYPI_MODEL } : baseEnv(dirs);
      if (mode.papers) {
        env.CORPUS_PATH = join(tmp, 'corpus.jsonl');
        const real = parseCorpus(readFileSync('data/papers.txt', 'utf8'), 'txt').papers;
        await writeFile(env.CORPUS_PATH, [...syntheticCorpus(real, { papers: mode.papers })].map((p) => `${JSON.stringify(p)}\n`).join(''));
      }
      node = await startServer(env, () => {}); // builds the index in dirs.indexDir
      const index = await loadIndex(dirs.indexDir);
      const lines: string[] = [];
      const vars: Record<string, string> = { INDEX_STORAGE: mode.storage, ALLOWED_ORIGINS: '', RATE_LIMIT_PER_MINUTE: '0' };
      if (mode.storage === 'assets') lines.push('[assets]', `directory = "${dirs.indexDir}"`, 'binding = "ASSETS"', 'run_worker_first = true');
      else lines.push(...D1_BINDING);
      const configs: string[] = [];
      if (mode.dense) {
        const { embedder } = await loadEmbedder({ model: PYPI_MODEL, modelsDir: MODELS_DIR, allowRemote: false });
        backend = await startBindingBackend(embedder!, index.vectors!, { model: PYPI_MODEL, pooling: 'mean' });
        lines.push(...AI_AND_VECTORIZE_BINDINGS);
        // No Workers AI model embeds like all-MiniLM-L6-v2 (the real model this machine has); the
        // in-test binding runs it under its own id. Deployed, the default is @cf/baai/bge-small-en-v1.5.
        vars.WORKERS_AI_EMBEDDING_MODEL = PYPI_MODEL;
        configs.push(join(tmp, 'bindings.toml'));
        await writeFile(configs[0]!, bindingsConfig(backend.url));
      }
      const config = join(tmp, 'wrangler.toml');
      await writeFile(config, workerConfig(`paper-chat-${mode.storage}`, lines, vars));
      const persist = join(tmp, 'state');
      if (mode.storage === 'd1') await loadLocalD1(await planExport(index, null), config, persist);
      worker = await startWrangler([config, ...configs], persist);
    }, 240_000);

    afterAll(async () => {
      await worker?.stop();
      await backend?.close();
      await node?.close();
      await dirs?.cleanup();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    it('is healthy, with the same papers and retrieval', async () => {
      const [w, n] = await Promise.all([fetch(`${worker.url}/health`), fetch(`${node.url}/health`)]);
      const wb = (await w.json()) as Record<string, unknown>;
      expect(w.status, JSON.stringify(wb)).toBe(200);
      const nb = (await n.json()) as Record<string, unknown>;
      expect(wb).toMatchObject({ status: 'ok', papers: mode.papers ?? 224, dense: mode.dense });
      expect(nb.papers).toBe(wb.papers);
      expect(nb.dense).toBe(mode.dense);
    });

    it(`searches every question (${devQuestions.length} of the dev set, ${corpusQuestions.length} from the corpus) to the same 20 papers in the same order, with the same scores`, async () => {
      for (const q of DEV_QUESTIONS) {
        const [w, n] = await Promise.all([search(worker.url, q, 20), search(node.url, q, 20)]);
        expect(w.map((h) => h.id), q).toEqual(n.map((h) => h.id));
        w.forEach((h, i) => expect(h.score, q).toBeCloseTo(n[i]!.score, 5));
      }
      if (backend) expect(backend.calls.ai).toBeGreaterThanOrEqual(DEV_QUESTIONS.length); // really through the bindings
    }, 120_000);

    it('serves a paper, and 404 for an unknown id', async () => {
      const id = (await search(node.url, DEV_QUESTIONS[0]!, 1))[0]!.id;
      expect(await paper(worker.url, id)).toEqual(await paper(node.url, id));
      const missing = await fetch(`${worker.url}/api/papers/no-such-paper`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('paper_not_found');
    });

    it('answers chats with the same answers and citations, as JSON and streamed', async () => {
      for (const q of DEV_QUESTIONS.slice(0, 8)) {
        const [w, n] = await Promise.all([chatJson(worker.url, [user(q)]), chatJson(node.url, [user(q)])]);
        expect(w.status).toBe(200);
        expect({ answer: w.body.answer, abstained: w.body.abstained, cited: w.body.citations.map((c) => [c.id, c.quote?.text]) }, q).toEqual({
          answer: n.body.answer,
          abstained: n.body.abstained,
          cited: n.body.citations.map((c) => [c.id, c.quote?.text]),
        });
      }
      const streamed = await chatStream(worker.url, [user(DEV_QUESTIONS[0]!)]);
      expect(streamed.status).toBe(200);
      expect(streamed.contentType).toMatch(/text\/event-stream/);
      const ev = chatEvents(streamed.events);
      expectChatStreamOrder(ev);
    }, 60_000);

    it('refuses a cross-origin chat from an origin not allowed, as Node does', async () => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://elsewhere.example' }, body: JSON.stringify({ messages: [user('graph neural networks')] }) };
      const [w, n] = await Promise.all([fetch(`${worker.url}/api/chat`, init), fetch(`${node.url}/api/chat`, init)]);
      expect(w.status).toBe(n.status);
      expect(w.status).toBe(403);
    });

    it('serves the page and the same widget script', async () => {
      const [wp, np] = await Promise.all([fetch(`${worker.url}/`), fetch(`${node.url}/`)]);
      expect(wp.status).toBe(200);
      expect(await wp.text()).toBe(await np.text());
      const [ww, nw] = await Promise.all([fetch(`${worker.url}/widget.js`), fetch(`${node.url}/widget.js`)]);
      expect(ww.status).toBe(200);
      expect(await ww.text()).toBe(await nw.text());
    });
  });
}

describe('the Worker under wrangler dev, with Cloudflare rate-limiting bindings', () => {
  let dirs: TestDirs;
  let tmp: string;
  let worker: RunningWorker;
  const LIMIT = 4;

  beforeAll(async () => {
    dirs = await makeDirs('wrangler-ratelimit');
    tmp = await mkdtemp(join(tmpdir(), 'wrangler-'));
    await (await startServer(baseEnv(dirs), () => {})).close(); // builds the index
    const config = join(tmp, 'wrangler.toml');
    const limiter = (name: string, id: string, limit: number) => ['[[ratelimits]]', `name = "${name}"`, `namespace_id = "${id}"`, `simple = { limit = ${limit}, period = 60 }`];
    await writeFile(
      config,
      workerConfig(
        'paper-chat-ratelimit',
        ['[assets]', `directory = "${dirs.indexDir}"`, 'binding = "ASSETS"', 'run_worker_first = true', ...limiter('API_RATE_LIMITER', '1001', LIMIT), ...limiter('CHAT_RATE_LIMITER', '1002', 1)],
        { ALLOWED_ORIGINS: '', RATE_LIMIT_PER_MINUTE: '0' },
      ),
    );
    worker = await startWrangler([config], join(tmp, 'state'));
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    await dirs?.cleanup();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After past the binding limit, per client (CF-Connecting-IP), chats and searches counted apart', async () => {
    const searchAs = (ip: string) =>
      fetch(`${worker.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip }, body: JSON.stringify({ query: 'graph neural networks', k: 3 }) });
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push((await searchAs('203.0.113.7')).status);
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
    const limited = await searchAs('203.0.113.7');
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(((await limited.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/Too many API requests/) });
    // Another client has its own budget; chats have theirs.
    expect((await searchAs('198.51.100.2')).status).toBe(200);
    const chat = (ip: string) => fetch(`${worker.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip }, body: JSON.stringify({ messages: [user('graph neural networks')] }) });
    expect((await chat('203.0.113.7')).status).toBe(200);
    expect((await chat('203.0.113.7')).status).toBe(429);
  });
});

describe('the Worker under wrangler dev, answering with WORKERS_AI_MODEL through the AI binding', () => {
  const TEXT_MODEL = '@cf/meta/llama-3.2-3b-instruct';
  let dirs: TestDirs;
  let tmp: string;
  let worker: RunningWorker;
  let backend: Awaited<ReturnType<typeof startBindingBackend>>;
  const asked: { role: string; content: string }[][] = [];

  beforeAll(async () => {
    dirs = await makeDirs('wrangler-workers-ai');
    tmp = await mkdtemp(join(tmpdir(), 'wrangler-'));
    await (await startServer(baseEnv(dirs), () => {})).close(); // builds the index
    // A scripted model: it answers with the sentences of source [1]'s excerpt, in pieces, without
    // markers (the server attributes them).
    backend = await startBindingBackend(null, null, { model: 'none', pooling: 'none' }, {
      model: TEXT_MODEL,
      answer: (messages) => {
        asked.push(messages);
        const excerpt = /^\[1\] .*\n(.*)$/m.exec(messages.at(-1)!.content)?.[1] ?? '';
        return excerpt.split(/(?<= )/);
      },
    });
    const bindings = join(tmp, 'bindings.toml');
    await writeFile(bindings, bindingsConfig(backend.url));
    const config = join(tmp, 'wrangler.toml');
    await writeFile(
      config,
      workerConfig(
        'paper-chat-workers-ai',
        ['[assets]', `directory = "${dirs.indexDir}"`, 'binding = "ASSETS"', 'run_worker_first = true', ...AI_AND_VECTORIZE_BINDINGS.slice(0, 4)],
        { ALLOWED_ORIGINS: '', RATE_LIMIT_PER_MINUTE: '0', WORKERS_AI_MODEL: TEXT_MODEL },
      ),
    );
    worker = await startWrangler([config, bindings], join(tmp, 'state'));
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    await backend?.close();
    await dirs?.cleanup();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('reports the model on /health and streams its cited answer, verified against the abstract', async () => {
    const health = (await (await fetch(`${worker.url}/health`)).json()) as { llm: string; dense: boolean };
    expect(health.llm).toContain(TEXT_MODEL);
    expect(health.dense).toBe(false); // an AI binding but no Vectorize: lexical, and /health says why
    const question = 'How much does speculative sampling speed up decoding of Chinchilla?';
    const streamed = await chatStream(worker.url, [user(question)]);
    expect(streamed.status).toBe(200);
    const ev = chatEvents(streamed.events);
    expectChatStreamOrder(ev);
    const done = ev.done[0]!;
    expect(done.mode).toBe('llm');
    expect(done.fallback).toBeUndefined();
    // Streamed sentence by sentence as the server attributed them: the deltas are the final answer.
    expect(ev.deltas.length).toBe(done.answer.split(' [1]').length - 1);
    expect(ev.deltas.length).toBeGreaterThan(1);
    expect(ev.text).toBe(done.answer);
    expect(done.citations.map((c) => c.n)).toEqual([1]);
    expect(done.verified).toBe(1);
    expect(backend.calls.text).toBe(1); // the answer only: no query rewrite for a first question, no LLM suggestions
    expect(asked[0]!.map((m) => m.role)).toEqual(['system', 'user']);
    expect(asked[0]![1]!.content.endsWith(`\n\nQuestion: ${question}`)).toBe(true);
  });
});
