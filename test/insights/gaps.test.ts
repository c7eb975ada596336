/**
 * Coverage gaps: 200 made-up abstained questions on 5 topics, logged in a real SQLite file, come
 * out of `npm run gaps` (dist/cli.js gaps) as those 5 topics, by their words and with the
 * embedder; `/admin` shows the same report behind ADMIN_TOKEN and does not exist without it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { CoverageReport } from '../../src/insights/report.js';
import { groupTopics } from '../../src/insights/topics.js';
import { buildApp } from '../../src/node.js';
import type { ChatResult } from '../../src/protocol/chat.js';
import { openSqliteStore } from '../../src/sqlite-store.js';
import { baseEnv, logSink, makeDirs, type TestDirs } from '../helpers/app.js';
import { PYPI_MODEL, realModel, REQUIRE_REAL_MODELS, HOW_TO_GET_MODELS } from '../helpers/real-models.js';
import { madeUpGaps, TOPICS } from './made-up-gaps.js';

const run = promisify(execFile);
const ADMIN_TOKEN = 'a-long-enough-admin-token-for-tests';
let dirs: TestDirs;
let tmp: string;
let db: string;
const { gaps, topicOf } = madeUpGaps(40);

beforeAll(async () => {
  dirs = await makeDirs('gaps');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gaps-db-'));
  db = path.join(tmp, 'records.db');
  const { store, close } = await openSqliteStore(db);
  for (const g of gaps) await store.logGap(g);
  close();
  await run(process.execPath, ['scripts/build-server.mjs']);
  await run(process.execPath, ['dist/cli.js', 'ingest'], { env: baseEnv(dirs) });
}, 120_000);
afterAll(async () => {
  await dirs?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Each reported topic's made-up topic, checking that every topic is pure and whole. */
function expectFiveTopics(report: Pick<CoverageReport, 'topics'>) {
  expect(report.topics).toHaveLength(5);
  const found = report.topics.map((t) => {
    const labels = new Set(t.examples.map((e) => topicOf.get(e)));
    expect(labels.size).toBe(1);
    return [...labels][0]!;
  });
  expect(found.sort()).toEqual(Object.keys(TOPICS).sort());
  for (const t of report.topics) expect(t.count).toBe(40);
}

/** `npm run gaps` as the compiled CLI runs it. */
async function gapsCli(env: Record<string, string | undefined>, args: string[] = []) {
  return run(process.execPath, ['dist/cli.js', 'gaps', ...args], { env: { ...baseEnv(dirs), DATABASE_PATH: db, ...env }, timeout: 120_000 });
}

describe('npm run gaps', () => {
  it('groups 200 abstained questions on 5 topics into those 5, by their words, with examples and counts', async () => {
    const { stdout } = await gapsCli({}, ['--json']);
    const report = JSON.parse(stdout) as CoverageReport;
    expect(report.method).toBe('lexical');
    expect(report.gaps).toBe(200);
    expectFiveTopics(report);
    for (const t of report.topics) expect(t.decisions).toEqual({ not_covered: 40 });
  });

  it('prints the topics, the papers never cited and feedback by paper as text', async () => {
    const { stdout } = await gapsCli({});
    expect(stdout).toMatch(/Coverage gaps: 200 unanswered or weakly answered questions/);
    expect(stdout.match(/^\d\. .+: 40 questions \(not covered 40\)$/gm)).toHaveLength(5);
    expect(stdout).toMatch(/^ {5}- .+\?$/m);
    // No answer was recorded in this database: every paper of the index is never cited.
    expect(stdout).toMatch(/^Papers never cited: 224$/m);
    expect(stdout).toMatch(/^Feedback: 0 up, 0 down, 0 with a comment$/m);
  });

  const minilm = realModel(PYPI_MODEL);
  it.skipIf(!minilm.present && !REQUIRE_REAL_MODELS)(`groups them into the same 5 with the embedder (${PYPI_MODEL})${minilm.present ? '' : `: ${minilm.reason}; ${HOW_TO_GET_MODELS}`}`, async () => {
    const { stdout } = await gapsCli({ MODELS_DIR: path.resolve('models'), EMBEDDING_MODEL: PYPI_MODEL }, ['--json']);
    const report = JSON.parse(stdout) as CoverageReport;
    expect(report.method).toBe('embedding');
    expectFiveTopics(report);
  });

  it('without a database it says where it looked and what writes it', async () => {
    await expect(gapsCli({ DATABASE_PATH: path.join(tmp, 'missing.db') })).rejects.toMatchObject({ stderr: expect.stringMatching(/no database at .*missing\.db/) });
  });
});

describe('groupTopics', () => {
  it('counts a repeated question once per asking, and leaves refusals to the report', async () => {
    const repeated = [...gaps.slice(0, 10), { ...gaps[0]!, question: `  ${gaps[0]!.question.toUpperCase()} ` }];
    const { topics } = await groupTopics(repeated, null);
    expect(topics.reduce((s, t) => s + t.count, 0)).toBe(11);
    expect(await groupTopics([], null)).toEqual({ topics: [], method: 'lexical' });
  });
});

describe('/admin', () => {
  it('exists only with ADMIN_TOKEN; shows the report to its holder (HTML, or JSON), 401 without it', async () => {
    const without = await buildApp(loadConfig({ ...baseEnv(dirs), DATABASE_PATH: db }), logSink().log);
    expect((await without.app.request('/admin')).status).toBe(404);
    without.records!.close();

    const { app, records } = await buildApp(loadConfig({ ...baseEnv(dirs), DATABASE_PATH: db, ADMIN_TOKEN }), logSink().log);
    try {
      // An answer recorded and rated through the app shows in the report.
      const chat = await app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'Which methods speed up hyperparameter optimization with freeze-thaw Bayesian optimization?' }] }) });
      const answer = (await chat.json()) as ChatResult;
      const fb = await app.request('/api/feedback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signature: answer.signature, vote: 'down', citation: answer.citations[0]!.id }) });
      expect(fb.status).toBe(201);

      const denied = await app.request('/admin');
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect((await app.request('/admin', { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);

      const page = await app.request('/admin', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      const html = await page.text();
      expect(html).toContain('Top unanswered topics');
      expect(html.match(/<li><strong>/g)).toHaveLength(5);

      const basic = await app.request('/admin', { headers: { authorization: `Basic ${btoa(`owner:${ADMIN_TOKEN}`)}`, accept: 'application/json' } });
      const report = (await basic.json()) as CoverageReport;
      expectFiveTopics(report);
      expect(report.neverCited!.total).toBe(224 - answer.citations.length);
      expect(report.feedback.byPaper[0]).toMatchObject({ paper: answer.citations[0]!.id, down: 1, wrongCitation: 1, title: answer.citations[0]!.title });
    } finally {
      records!.close();
    }
  });
});
