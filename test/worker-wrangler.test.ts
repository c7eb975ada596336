/**
 * The Worker in workerd (`wrangler dev`, local, offline) against the Node server on the same index:
 * the same HTTP cases, the same answers. Bundled mode: the index files are the Worker's static
 * assets. Questions are made from the corpus (typos excluded: the Worker corrects none).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/node.js';
import { words } from '../src/retrieval/text.js';
import { baseEnv, chatJson, chatStream, makeDirs, paper, search, start, user, type TestDirs } from './helpers/app.js';
import { freePort } from './helpers/fake-openai.js';
import { chatEvents, expectChatStreamOrder } from './helpers/sse.js';

let dirs: TestDirs;
let node: RunningServer;
let worker: ChildProcess;
let workerUrl: string;
let questions: string[];

beforeAll(async () => {
  dirs = await makeDirs('wrangler');
  node = await start(baseEnv(dirs)); // builds the index in dirs.indexDir
  // A wrangler config like the repository's, serving this test's index.
  const config = join(dirs.indexDir, '..', `${dirs.indexDir.split('/').pop()}-wrangler.toml`);
  await writeFile(
    config,
    [
      'name = "paper-chat-test"',
      `main = "${resolve('src/worker.ts')}"`,
      'compatibility_date = "2026-05-01"',
      'compatibility_flags = ["nodejs_compat"]',
      '[assets]',
      `directory = "${dirs.indexDir}"`,
      'binding = "ASSETS"',
      'run_worker_first = true',
      '[[rules]]',
      'type = "Text"',
      'globs = ["**/*.txt"]',
      'fallthrough = true',
      '[vars]',
      'ALLOWED_ORIGINS = ""',
      'RATE_LIMIT_PER_MINUTE = "0"',
    ].join('\n'),
  );
  const port = await freePort();
  workerUrl = `http://127.0.0.1:${port}`;
  worker = spawn(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'dev', '-c', config, '--port', String(port), '--ip', '127.0.0.1', '--persist-to', join(dirs.indexDir, '..', 'wrangler-state')], {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  worker.stdout!.on('data', (d: Buffer) => (output += d));
  worker.stderr!.on('data', (d: Buffer) => (output += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${workerUrl}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline || worker.exitCode !== null) throw new Error(`wrangler dev did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  // Questions from the corpus: each paper's title, and a run of words from its abstract.
  const all = await search(node.url, 'learning', 40);
  questions = [];
  for (const hit of all.slice(0, 20)) {
    const p = await paper(node.url, hit.id);
    questions.push(p.title, words(p.abstract).slice(5, 17).join(' '));
  }
}, 120_000);

afterAll(async () => {
  worker?.kill('SIGTERM');
  await node?.close();
  await dirs?.cleanup();
});

describe('the Worker under wrangler dev, beside the Node server', () => {
  it('is healthy, with the same papers', async () => {
    const [w, n] = await Promise.all([fetch(`${workerUrl}/health`), fetch(`${node.url}/health`)]);
    expect(w.status).toBe(200);
    const wb = (await w.json()) as { status: string; papers: number };
    expect(wb).toMatchObject({ status: 'ok', papers: ((await n.json()) as { papers: number }).papers });
  });

  it('searches to the same papers in the same order, with the same scores', async () => {
    for (const q of questions) {
      const [w, n] = await Promise.all([search(workerUrl, q, 10), search(node.url, q, 10)]);
      expect(w.map((h) => h.id), q).toEqual(n.map((h) => h.id));
      w.forEach((h, i) => expect(h.score).toBeCloseTo(n[i]!.score, 6));
    }
  });

  it('serves a paper, and 404 for an unknown id', async () => {
    const id = (await search(node.url, questions[0]!, 1))[0]!.id;
    expect(await paper(workerUrl, id)).toEqual(await paper(node.url, id));
    expect((await fetch(`${workerUrl}/api/papers/no-such-paper`)).status).toBe(404);
  });

  it('answers a chat with the same citations, as JSON and streamed', async () => {
    for (const q of questions.slice(0, 6)) {
      const [w, n] = await Promise.all([chatJson(workerUrl, [user(q)]), chatJson(node.url, [user(q)])]);
      expect(w.status).toBe(200);
      expect({ answer: w.body.answer, abstained: w.body.abstained, cited: w.body.citations.map((c) => c.id) }).toEqual({
        answer: n.body.answer,
        abstained: n.body.abstained,
        cited: n.body.citations.map((c) => c.id),
      });
    }
    const streamed = await chatStream(workerUrl, [user(questions[0]!)]);
    expect(streamed.status).toBe(200);
    expect(streamed.contentType).toMatch(/text\/event-stream/);
    const ev = chatEvents(streamed.events);
    expectChatStreamOrder(ev);
    expect(ev.done[0]!.citations.length).toBeGreaterThan(0);
  });

  it('serves the page and the same widget script', async () => {
    const [wp, np] = await Promise.all([fetch(`${workerUrl}/`), fetch(`${node.url}/`)]);
    expect(wp.status).toBe(200);
    expect(await wp.text()).toBe(await np.text());
    const [ww, nw] = await Promise.all([fetch(`${workerUrl}/widget.js`), fetch(`${node.url}/widget.js`)]);
    expect(ww.status).toBe(200);
    expect(await ww.text()).toBe(await nw.text());
  });
});
