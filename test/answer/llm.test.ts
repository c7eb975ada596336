/**
 * One LLM call (`streamCompletion`, `complete`) against a fake OpenAI-compatible server over real
 * HTTP, and the one budget every call of an answer draws on (`Budget`): each way a call fails
 * names its cause in an `LlmFailure` (the message a client may see, the detail for the log), and a
 * call given up on is closed upstream. The timers are set short; no assertion bounds elapsed time
 * (the message says which timer ended the call).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAIClient } from '../../src/answer/llm-client.js';
import { Budget, complete, DEFAULT_LLM_BOUNDS, leaksPrompt, LlmFailure, PROMPT_CANARY, streamCompletion, type LlmOptions } from '../../src/answer/llm.js';
import { loadPrompts } from '../../src/platform/node/prompts.js';
import { FakeOpenAI, freePort, waitFor } from '../helpers/fake-openai.js';

const STALL_MS = 300;
const DEADLINE_MS = 5_000;
const MESSAGES = [{ role: 'user' as const, content: 'Say something about the excerpts.' }];

let fake: FakeOpenAI;
let llm: LlmOptions;

const options = (baseUrl: string, extra: Partial<LlmOptions> = {}): LlmOptions => ({
  client: createOpenAIClient({ OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: 'test-key', LLM_TIMEOUT_MS: STALL_MS }),
  model: 'fake-model',
  timeoutMs: STALL_MS,
  deadlineMs: DEADLINE_MS,
  prompts: llm?.prompts ?? { answer: '', condense: '', translate: '' },
  ...extra,
});

beforeAll(async () => {
  fake = await new FakeOpenAI().start();
  llm = { ...options(fake.baseUrl), prompts: await loadPrompts('prompts') };
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  fake.script({ answer: { kind: 'reply', chunks: ['One ', 'two ', 'three.'] } });
});

/** Runs a call to its end: the deltas it yielded and its text, or the error it threw. */
async function run(o: LlmOptions = llm, budget = new Budget(o.deadlineMs ?? DEADLINE_MS), signal?: AbortSignal) {
  const deltas: string[] = [];
  const gen = streamCompletion(o, MESSAGES, 100, budget, signal);
  try {
    for (let r = await gen.next(); ; r = await gen.next()) {
      if (r.done) return { deltas, text: r.value, error: null };
      deltas.push(r.value);
    }
  } catch (error) {
    return { deltas, text: null, error: error as Error };
  }
}

/** The failure a call ended with: its public message and its log detail. */
async function failure(o?: LlmOptions, budget?: Budget) {
  const { error } = await run(o, budget);
  expect(error).toBeInstanceOf(LlmFailure);
  const f = error as LlmFailure;
  return { message: f.message, detail: f.detail };
}

describe('streamCompletion', () => {
  it('yields the deltas as they arrive and returns the whole text, asking at temperature 0 with the token cap', async () => {
    const r = await run();
    expect(r).toEqual({ deltas: ['One ', 'two ', 'three.'], text: 'One two three.', error: null });
    const req = fake.answerRequests()[0]!;
    expect(req.headers.authorization).toBe('Bearer test-key');
    expect(req.body).toMatchObject({ model: 'fake-model', stream: true, temperature: 0, max_tokens: 100, messages: MESSAGES });
    expect(req.finished).toBe(true);
  });

  it.each([500, 401, 429])('turns HTTP %i into "the service did not answer" for clients, the status for the log, with no retry', async (status) => {
    fake.script({ answer: { kind: 'error', status, retryAfter: 1 } });
    expect(await failure()).toEqual({ message: 'the language model service did not answer', detail: `the LLM server answered HTTP ${status}` });
    expect(fake.answerRequests()).toHaveLength(1);
  });

  it('says a refused connection could not be reached', async () => {
    const f = await failure(options(`http://127.0.0.1:${await freePort()}/v1`));
    expect(f.message).toBe('the language model service did not answer');
    expect(f.detail).toMatch(/could not be reached|Connection error/);
  });

  it('says a host name that does not resolve could not be reached', async () => {
    const f = await failure(options('http://llm.paper-chat.invalid/v1'));
    expect(f.message).toBe('the language model service did not answer');
    expect(f.detail).toMatch(/could not be reached|Connection error/);
  });

  it.each<[string, Parameters<FakeOpenAI['script']>[0]['answer'], string[]]>([
    ['no first byte', { kind: 'silent' }, []],
    ['a stream that stops after its first chunk', { kind: 'stall', firstChunk: 'It is ' }, ['It is ']],
    ['empty keep-alive chunks and no content', { kind: 'keepalive', firstChunk: 'It is ', everyMs: 50 }, ['It is ']],
  ])('ends a call with %s by the stall timer, and closes it upstream', async (_what, answer, deltas) => {
    fake.script({ answer });
    const r = await run();
    expect(r.deltas).toEqual(deltas);
    expect(r.error).toBeInstanceOf(LlmFailure);
    expect(r.error!.message).toBe(`the LLM sent nothing for ${STALL_MS} ms`);
    expect(await waitFor(() => fake.answerRequests()[0]?.closedEarly === true)).toBe(true);
  });

  it('never counts a stream cut before its finish as a whole answer', async () => {
    fake.script({ answer: { kind: 'cut', chunks: ['It is fast ', 'but it is NOT'] } });
    const r = await run();
    expect(r.text).toBeNull();
    expect(r.error!.message).toBe('the LLM stream ended without finishing (cut off)');
  });

  it('does not use a reply cut at the token cap', async () => {
    fake.script({ answer: { kind: 'length', chunks: ['It is fast and it'] } });
    expect((await failure()).message).toBe('the LLM answer was cut at 100 tokens');
  });

  it('fails on a malformed stream, naming the parse error only in the log', async () => {
    fake.script({ answer: { kind: 'malformed', validChunks: ['It is '] } });
    const f = await failure();
    expect(f.message).toBe('the language model service did not answer');
    expect(f.detail).toMatch(/JSON/);
  });

  it('ends a stream of content that never stops at the answer-size cap', async () => {
    fake.script({ answer: { kind: 'endless', chunk: 'more words about surrogates. ', everyMs: 1 } });
    expect((await failure()).message).toBe(`the LLM answer passed ${DEFAULT_LLM_BOUNDS.maxAnswerChars} characters`);
  });

  it('ends a 50,000-token answer at the size cap too', async () => {
    fake.script({ answer: { kind: 'reply', chunks: Array.from({ length: 50_000 }, (_, i) => `tok${i % 10} `), delayMs: 1, burst: 50 } });
    expect((await failure()).message).toBe(`the LLM answer passed ${DEFAULT_LLM_BOUNDS.maxAnswerChars} characters`);
    expect(await waitFor(() => fake.answerRequests()[0]?.closedEarly === true)).toBe(true);
  });

  it('ends a stream that trickles forever when the budget runs out, and closes it upstream', async () => {
    fake.script({ answer: { kind: 'endless', chunk: 'slow ', everyMs: 40 } });
    const o = { ...llm, deadlineMs: 600 };
    const r = await run(o, new Budget(600));
    expect(r.deltas.length).toBeGreaterThan(1);
    expect(r.error!.message).toBe('the LLM did not finish within 600 ms');
    expect(await waitFor(() => fake.answerRequests()[0]?.closedEarly === true)).toBe(true);
  });

  it('re-throws the caller’s abort (not an LLM failure) and closes the call upstream', async () => {
    fake.script({ answer: { kind: 'reply', chunks: Array.from({ length: 50 }, (_, i) => `part ${i} `), delayMs: 20 } });
    const ctrl = new AbortController();
    const deltas: string[] = [];
    const gen = streamCompletion(llm, MESSAGES, 100, new Budget(DEADLINE_MS), ctrl.signal);
    const error = await (async () => {
      try {
        for (let r = await gen.next(); !r.done; r = await gen.next()) {
          deltas.push(r.value);
          if (deltas.length === 2) ctrl.abort();
        }
        return null;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).not.toBeNull();
    expect(error).not.toBeInstanceOf(LlmFailure);
    expect(deltas.length).toBeLessThan(50);
    expect(await waitFor(() => fake.answerRequests()[0]?.closedEarly === true)).toBe(true);
  });
});

describe('complete', () => {
  it('returns the whole text of a streamed reply', async () => {
    expect(await complete(llm, MESSAGES, 50, new Budget(DEADLINE_MS))).toBe('One two three.');
    expect(fake.answerRequests()[0]!.body).toMatchObject({ stream: true, max_tokens: 50 });
  });
});

describe('Budget: the one deadline of a whole answer', () => {
  it('counts down from the deadline and never below zero', () => {
    const b = new Budget(1_000, 10_000);
    expect(b.remaining(10_000)).toBe(1_000);
    expect(b.remaining(10_400)).toBe(600);
    expect(b.remaining(12_000)).toBe(0);
  });

  it('refuses a call once the budget is spent, without asking the server', async () => {
    const spent = new Budget(1_000, Date.now() - 1_000);
    expect((await failure(llm, spent)).message).toBe(`the LLM did not finish within ${DEADLINE_MS} ms`);
    expect(fake.requests).toHaveLength(0);
  });

  it('gives a second call only what the first left', async () => {
    fake.script({ answer: { kind: 'endless', chunk: 'slow ', everyMs: 40 } });
    const budget = new Budget(700);
    const o = { ...llm, deadlineMs: 700 };
    const first = await run(o, budget);
    expect(first.error!.message).toBe('the LLM did not finish within 700 ms');
    fake.script({ answer: { kind: 'reply', chunks: ['Fast.'] } });
    expect((await failure(o, budget)).message).toBe('the LLM did not finish within 700 ms');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('leaksPrompt', () => {
  it('catches the canary and a long run of the instructions, not an ordinary answer', () => {
    const instructions = llm.prompts.answer;
    expect(leaksPrompt(`My reference is ${PROMPT_CANARY}.`, instructions)).toBe(true);
    expect(leaksPrompt(`Sure. ${instructions.slice(20, 200)} [1]`, instructions)).toBe(true);
    expect(leaksPrompt('Lookahead keeps two sets of weights [1].', instructions)).toBe(false);
  });
});
