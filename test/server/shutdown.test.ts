/**
 * Stopping: SIGTERM to the server's process stops it (test/node/lifecycle.test.ts signals `npm
 * start`); a graceful shutdown answers new requests 503, lets a short answer finish, and ends an
 * answer still streaming at the end of the grace period with an `error` event.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/node.js';
import { baseEnv, chatStream, makeDirs, start, user, type TestDirs } from '../helpers/app.js';
import { FakeOpenAI, freePort } from '../helpers/fake-openai.js';
import { portOf, rawExchange, statuses } from '../helpers/raw-http.js';
import { chatEvents } from '../helpers/sse.js';

let dirs: TestDirs;
let fake: FakeOpenAI;

beforeAll(async () => {
  dirs = await makeDirs('shutdown');
  fake = await new FakeOpenAI().start();
});
afterAll(async () => {
  await fake?.close();
  await dirs?.cleanup();
});

/** A question about the first paper of the tiny corpus: answered through the (fake) LLM. */
const QUESTION = `What does "${(JSON.parse(readFileSync('test/fixtures/tiny-corpus.jsonl', 'utf8').split('\n')[0]!) as { title: string }).title}" propose?`;
const llmEnv = () => ({ ...baseEnv(dirs), CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl', OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'k', OPENAI_MODEL: 'fake', LLM_TIMEOUT_MS: '5000' });

describe('graceful shutdown', () => {
  it('ends an answer still streaming after the grace period with an error event; new requests get 503', async () => {
    const app: RunningServer = await start(llmEnv());
    fake.script({ answer: { kind: 'endless', chunk: 'still writing [1] ', everyMs: 100 } });
    const streaming = chatStream(app.url, [user(QUESTION)]);
    await new Promise((r) => setTimeout(r, 400)); // the answer is streaming
    const t0 = Date.now();
    const stopped = app.shutdown(800);
    await new Promise((r) => setTimeout(r, 50));
    // A new connection is answered 503, and told the connection ends (not refused: the port stays
    // open until the answers in flight are done).
    const late = await rawExchange(portOf(app.url), `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(statuses(late.text)).toEqual([503]);
    expect(late.text).toMatch(/\r\nconnection: close\r\n/i);
    expect(late.text).toMatch(/"code":"shutting_down"/);
    const r = await streaming;
    const ev = chatEvents(r.events);
    expect(ev.done).toEqual([]);
    expect(ev.errors).toEqual([{ error: { code: 'shutting_down', message: expect.stringMatching(/shutting down/) } }]);
    await stopped;
    expect(Date.now() - t0).toBeLessThan(800 + 1500);
  }, 20_000);

  it('lets an answer that ends within the grace period finish with done', async () => {
    const app: RunningServer = await start(llmEnv());
    fake.script({ answer: { kind: 'reply', chunks: ['An answer ', 'that ends in time [1].'], delayMs: 300 } });
    const streaming = chatStream(app.url, [user(QUESTION)]);
    await new Promise((r) => setTimeout(r, 150));
    await app.shutdown(5000);
    const ev = chatEvents((await streaming).events);
    expect(ev.errors).toEqual([]);
    expect(ev.done).toHaveLength(1);
  }, 20_000);
});

describe('SIGTERM to the server process', () => {
  it('stops it: the process exits and the port is free', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...baseEnv(dirs), CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => /serving on/.test(d.toString()) && resolve());
      child.once('exit', (code) => reject(new Error(`exited early (${code})`)));
    });
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 60_000);
});
