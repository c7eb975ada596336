/**
 * Feedback and answer records through the app (`app.request()`), in a real SQLite file, and across
 * a restart of the real server: feedback is only taken on answers this server wrote, and it stays.
 */
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Paper } from '../../src/corpus/schema.js';
import { buildApp, startServer } from '../../src/node.js';
import type { ChatResult } from '../../src/protocol/chat.js';
import type { ChatCompletion } from '../../src/protocol/openai.js';
import { baseEnv, logSink, makeDirs, type TestDirs } from '../helpers/app.js';

let dirs: TestDirs;
let tmp: string;
let built: Awaited<ReturnType<typeof buildApp>>;
let papers: readonly Paper[];

const questionFrom = (p: Paper) => p.abstract.split(/(?<=\.)\s/)[0]!;
const OFF_TOPIC = 'What is the best hydration for a rye sourdough loaf?';
const USER_AGENT = 'Mozilla/5.0 (X11; Linux) TestBrowser/99';

async function build(extra: Record<string, string>) {
  return buildApp(loadConfig({ ...baseEnv(dirs), ...extra }), logSink().log);
}

const json = (app: Awaited<ReturnType<typeof buildApp>>['app'], route: string, body: unknown) =>
  app.request(route, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, 'x-forwarded-for': '203.0.113.9' }, body: JSON.stringify(body) });

async function ask(app: Awaited<ReturnType<typeof buildApp>>['app'], question: string): Promise<ChatResult> {
  const res = await json(app, '/api/chat', { messages: [{ role: 'user', content: question }] });
  expect(res.status).toBe(200);
  return (await res.json()) as ChatResult;
}

beforeAll(async () => {
  dirs = await makeDirs('feedback');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'feedback-db-'));
  built = await build({ DATABASE_PATH: path.join(tmp, 'records.db') });
  papers = built.index.papers;
});
afterAll(async () => {
  built?.records?.close();
  await dirs?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('POST /api/feedback', () => {
  it('takes 👍/👎, a wrong-citation mark and a comment on an answer this server wrote: 201 with an id', async () => {
    const answer = await ask(built.app, questionFrom(papers[2]!));
    const cited = answer.citations[0]!.id;
    const up = await json(built.app, '/api/feedback', { signature: answer.signature, vote: 'up' });
    expect(up.status).toBe(201);
    expect((await up.json()) as { id: string }).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const down = await json(built.app, '/api/feedback', { signature: answer.signature, vote: 'down', citation: cited, comment: 'This paper is about something else.' });
    expect(down.status).toBe(201);
    const byPaper = await built.records!.store.feedbackByPaper();
    expect(byPaper.find((f) => f.paper === cited)).toEqual({ paper: cited, up: 1, down: 1, wrongCitation: 1 });
  });

  it('a signature this server never gave is a 404 unknown_answer; bad input is a 400 naming the field', async () => {
    const unknown = await json(built.app, '/api/feedback', { signature: 'ab'.repeat(32), vote: 'up' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_answer');
    const answer = await ask(built.app, questionFrom(papers[4]!));
    for (const [body, field] of [
      [{ signature: answer.signature, vote: 'meh' }, 'vote'],
      [{ signature: 'not-a-signature', vote: 'up' }, 'signature'],
      [{ vote: 'up' }, 'signature'],
      [{ signature: answer.signature, vote: 'up', comment: 'x'.repeat(2001) }, 'comment'],
      [{ signature: answer.signature, vote: 'down', citation: 'a-paper-it-did-not-cite-000000' }, 'citation'],
    ] as const) {
      const res = await json(built.app, '/api/feedback', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(field);
    }
  });

  it('answers through the OpenAI route are recorded too: their signature takes feedback', async () => {
    const res = await json(built.app, '/v1/chat/completions', { model: 'paper-chat', messages: [{ role: 'user', content: questionFrom(papers[8]!) }] });
    const completion = (await res.json()) as ChatCompletion;
    const fb = await json(built.app, '/api/feedback', { signature: completion.paper_chat.signature, vote: 'up' });
    expect(fb.status).toBe(201);
  });

  it('stores what the reader typed and what the server answered, nothing about the reader', async () => {
    const answer = await ask(built.app, questionFrom(papers[12]!));
    await json(built.app, '/api/feedback', { signature: answer.signature, vote: 'up', comment: 'clear' });
    const db = new Database(path.join(tmp, 'records.db'), { readonly: true });
    try {
      const columns = (table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      expect(columns('answers')).toEqual(['signature', 'question', 'abstained', 'verified', 'decision', 'probability', 'created_at']);
      expect(columns('feedback')).toEqual(['id', 'signature', 'vote', 'citation', 'comment', 'created_at']);
      const row = db.prepare('SELECT * FROM answers WHERE signature = ?').get(answer.signature) as { question: string; decision: string; abstained: number };
      expect(row).toMatchObject({ question: questionFrom(papers[12]!), decision: 'answer', abstained: 0 });
      const everything = JSON.stringify(['answers', 'answer_citations', 'feedback', 'gaps'].map((t) => db.prepare(`SELECT * FROM ${t}`).all()));
      expect(everything).not.toContain('203.0.113.9');
      expect(everything).not.toContain('TestBrowser');
    } finally {
      db.close();
    }
  });

  it('/health says feedback is on', async () => {
    expect(((await (await built.app.request('/health')).json()) as { feedback: boolean }).feedback).toBe(true);
  });
});

describe('coverage gaps are logged', () => {
  it('an abstention is logged with its text, time and decision; an answer with a high probability is not', async () => {
    const before = Date.now();
    await ask(built.app, OFF_TOPIC);
    const gaps = await built.records!.store.gaps(10);
    expect(gaps[0]).toMatchObject({ question: OFF_TOPIC, decision: 'not_covered' });
    expect(gaps[0]!.at).toBeGreaterThanOrEqual(before);
    expect(gaps.some((g) => g.question === questionFrom(papers[2]!))).toBe(false);
  });

  it('GAP_LOG=off logs none; FEEDBACK=off removes the route and /health says so', async () => {
    const db = path.join(tmp, 'switches.db');
    const quiet = await build({ DATABASE_PATH: db, GAP_LOG: 'off' });
    await ask(quiet.app, OFF_TOPIC);
    expect(await quiet.records!.store.gaps(10)).toEqual([]);
    quiet.records!.close();

    const noFeedback = await build({ DATABASE_PATH: db, FEEDBACK: 'off' });
    const answer = await ask(noFeedback.app, questionFrom(papers[2]!));
    const res = await json(noFeedback.app, '/api/feedback', { signature: answer.signature, vote: 'up' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(((await (await noFeedback.app.request('/health')).json()) as { feedback: boolean }).feedback).toBe(false);
    expect(await noFeedback.records!.store.answer(answer.signature!)).toBeNull();
    await ask(noFeedback.app, OFF_TOPIC);
    expect((await noFeedback.records!.store.gaps(10)).map((g) => g.question)).toEqual([OFF_TOPIC]);
    noFeedback.records!.close();

    const neither = await build({ DATABASE_PATH: path.join(tmp, 'never-created.db'), FEEDBACK: 'off', GAP_LOG: 'off' });
    expect(neither.records).toBeNull();
  });
});

describe('feedback survives a restart of the server', () => {
  it('an answer given before the restart takes feedback after it, and the earlier feedback is still there', async () => {
    const env = { ...baseEnv(dirs), DATABASE_PATH: path.join(tmp, 'restart.db') };
    const first = await startServer(env, logSink().log);
    const post = (base: string, route: string, body: unknown) => fetch(base + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    let answer: ChatResult;
    try {
      answer = (await (await post(first.url, '/api/chat', { messages: [{ role: 'user', content: questionFrom(papers[30]!) }] })).json()) as ChatResult;
      expect((await post(first.url, '/api/feedback', { signature: answer.signature, vote: 'down', citation: answer.citations[0]!.id })).status).toBe(201);
    } finally {
      await first.close();
    }
    // A new process key: the signature is trusted because the database recorded it, not because this process signed it.
    const second = await startServer(env, logSink().log);
    try {
      const again = await post(second.url, '/api/feedback', { signature: answer.signature, vote: 'up', comment: 'better on a second read' });
      expect(again.status).toBe(201);
      const { openSqliteStore } = await import('../../src/sqlite-store.js');
      const reader = await openSqliteStore(env.DATABASE_PATH);
      try {
        expect((await reader.store.feedbackByPaper()).find((f) => f.paper === answer.citations[0]!.id)).toEqual({ paper: answer.citations[0]!.id, up: 1, down: 1, wrongCitation: 1 });
        expect(await reader.store.feedbackTotals()).toEqual({ up: 1, down: 1, comments: 1 });
      } finally {
        reader.close();
      }
    } finally {
      await second.close();
    }
  });
});
