/**
 * A client that goes away mid-answer is not a server failure: the request log shows 499 for it,
 * and nothing else is logged (no "internal error", no stack trace), streaming or not.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/node.js';
import { baseEnv, logSink, makeDirs, start, user, type LogSink, type TestDirs } from '../helpers/app.js';
import { FakeOpenAI } from '../helpers/fake-openai.js';

let dirs: TestDirs;
let fake: FakeOpenAI;
let server: RunningServer;
let sink: LogSink;

const TINY = 'test/fixtures/tiny-corpus.jsonl';
const FIRST = JSON.parse(readFileSync(TINY, 'utf8').split('\n')[0]!) as { title: string; abstract: string };
const QUESTION = `What does "${FIRST.title}" propose?`;
/** A sentence the paper bears out, so the server streams it (attributed) while the model goes on. */
const CLAIM = `${FIRST.abstract.split(/(?<=\.)\s/)[0]!.replace(/\.$/, '')} [1]. `;

beforeAll(async () => {
  dirs = await makeDirs('client-gone');
  fake = await new FakeOpenAI().start();
  sink = logSink();
  server = await start({ ...baseEnv(dirs), CORPUS_PATH: TINY, OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'k', OPENAI_MODEL: 'fake', LLM_TIMEOUT_MS: '20000' }, sink);
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
  await dirs?.cleanup();
});

const chatLines = (id: string) => sink.lines.filter((l) => l.startsWith('request ') && l.includes(`"id":"${id}"`)).map((l) => JSON.parse(l.slice('request '.length)) as { status: number; path: string });
const noise = () => sink.lines.filter((l) => /internal error|chat stream failed|\n\s+at /.test(l));
const settle = async (id: string) => {
  for (let i = 0; i < 100 && !chatLines(id).length; i++) await new Promise((r) => setTimeout(r, 20));
};

describe('a client that goes away mid-answer', () => {
  it('streaming: logged as 499, with no error line', async () => {
    fake.script({ answer: { kind: 'endless', chunk: CLAIM, everyMs: 50 } });
    const ctrl = new AbortController();
    const id = 'gone-streaming-01';
    const res = await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify({ messages: [user(QUESTION)], stream: true }), signal: ctrl.signal });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    ctrl.abort();
    await settle(id);
    expect(chatLines(id)).toEqual([expect.objectContaining({ path: '/api/chat', status: 499 })]);
    expect(noise()).toEqual([]);
  });

  it('not streaming: logged as 499, with no error line', async () => {
    fake.script({ answer: { kind: 'silent' } });
    const ctrl = new AbortController();
    const id = 'gone-json-0001';
    const answered = fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify({ messages: [user(QUESTION)] }), signal: ctrl.signal }).catch(() => null);
    for (let i = 0; i < 100 && !fake.answerRequests().some((r) => !r.finished); i++) await new Promise((r) => setTimeout(r, 20));
    ctrl.abort();
    expect(await answered).toBeNull();
    await settle(id);
    expect(chatLines(id)).toEqual([expect.objectContaining({ path: '/api/chat', status: 499 })]);
    expect(noise()).toEqual([]);
  });
});
