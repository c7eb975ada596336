import type OpenAI from 'openai';
import type { PromptTemplates } from './prompts.js';

export interface LlmOptions {
  client: OpenAI;
  model: string;
  /** No first token, or no next token with content, within this long counts as a failure. */
  timeoutMs: number;
  /** The most one whole answer may take, every LLM call of it included. Defaults to `DEFAULT_LLM_BOUNDS.deadlineMs`. */
  deadlineMs?: number;
  /** `max_tokens` of an answer; an answer cut at it (`finish_reason: length`) is not used. Defaults to `DEFAULT_LLM_BOUNDS.maxTokens`. */
  maxTokens?: number;
  prompts: PromptTemplates;
}

/** Defaults of the LLM calls' bounds (one place; LLM_DEADLINE_MS and LLM_MAX_TOKENS set the first two). */
export const DEFAULT_LLM_BOUNDS = {
  /** Defaults to 30 s: an LLM that sends no content for this long is abandoned (LLM_TIMEOUT_MS). */
  timeoutMs: 30_000,
  /** Defaults to 90 s: the most one answer may take, query rewrite, answer and translation together (LLM_DEADLINE_MS). */
  deadlineMs: 90_000,
  /** Defaults to 800 tokens for an answer (LLM_MAX_TOKENS). */
  maxTokens: 800,
  /** Defaults to 12,000: an answer longer than this many characters is cut off and not used (a runaway stream). */
  maxAnswerChars: 12_000,
  /** Defaults to 60 tokens for a rewritten search query. */
  rewriteTokens: 60,
} as const;

/** Why the LLM answer could not be used; the extractive answer replaces it. */
export class LlmFailure extends Error {
  override name = 'LlmFailure';
  /**
   * @param message what a client may see (the `fallback` field): no upstream status, host or error text
   * @param detail what the operator's log gets
   */
  constructor(
    message: string,
    readonly detail: string = message,
  ) {
    super(message);
  }
}

/** What a client is told when the LLM service itself failed; the log gets the details. */
const SERVICE_FAILED = 'the language model service did not answer';

/**
 * The time one answer may still spend on LLM calls: every call of the answer (rewrite, answer,
 * translation) draws on the same deadline, so the whole answer ends within `deadlineMs`.
 */
export class Budget {
  private readonly end: number;
  constructor(deadlineMs: number, now = Date.now()) {
    this.end = now + deadlineMs;
  }
  remaining(now = Date.now()): number {
    return Math.max(0, this.end - now);
  }
}

/**
 * Runs `fn` with a signal that aborts on the caller's signal, after `timeoutMs` without `touch()`
 * (a stall), or when the answer's budget runs out (a call that never ends, however busy).
 */
async function* bounded<T>(
  llm: LlmOptions,
  budget: Budget,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal, touch: () => void) => AsyncGenerator<T, string>,
): AsyncGenerator<T, string> {
  const ctrl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut: string | null = null;
  const expire = (why: string) => {
    timedOut = why;
    ctrl.abort();
  };
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => expire(`the LLM sent nothing for ${llm.timeoutMs} ms`), llm.timeoutMs);
  };
  const total = llm.deadlineMs ?? DEFAULT_LLM_BOUNDS.deadlineMs;
  const left = budget.remaining();
  if (left <= 0) throw new LlmFailure(`the LLM did not finish within ${total} ms`);
  const deadline = setTimeout(() => expire(`the LLM did not finish within ${total} ms`), left);
  const onAbort = () => ctrl.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  touch();
  try {
    const result = yield* fn(ctrl.signal, touch);
    // The SDK's stream may end quietly when aborted: a timed-out or abandoned call never counts as finished.
    if (timedOut) throw new LlmFailure(timedOut);
    if (outer?.aborted) throw outer.reason ?? new Error('aborted');
    return result;
  } catch (e) {
    if (timedOut) throw new LlmFailure(timedOut);
    if (outer?.aborted) throw e;
    if (e instanceof LlmFailure) throw e;
    throw new LlmFailure(SERVICE_FAILED, describeLlmError(e));
  } finally {
    clearTimeout(timer);
    clearTimeout(deadline);
    outer?.removeEventListener('abort', onAbort);
  }
}

function describeLlmError(e: unknown): string {
  const err = e as { status?: number; message?: string; cause?: { code?: string } };
  if (err.status) return `the LLM server answered HTTP ${err.status}`;
  if (err.cause?.code) return `the LLM server could not be reached (${err.cause.code})`;
  return `the LLM request failed (${err.message ?? String(e)})`;
}

export type LlmMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/**
 * One streamed chat completion at temperature 0: yields text deltas as they arrive and returns the
 * whole text. Throws LlmFailure on an HTTP error, a refused connection, a stall, the budget running
 * out, a malformed stream, a stream cut before it finished, or a reply cut at `maxTokens`.
 */
export function streamCompletion(llm: LlmOptions, messages: readonly LlmMessage[], maxTokens: number, budget: Budget, signal?: AbortSignal): AsyncGenerator<string, string> {
  return bounded(llm, budget, signal, async function* (s, touch) {
    const stream = await llm.client.chat.completions.create({ model: llm.model, messages: [...messages], stream: true, temperature: 0, max_tokens: maxTokens }, { signal: s });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      if (!chunk || !Array.isArray(chunk.choices)) throw new LlmFailure('the LLM stream sent a malformed chunk');
      finish = chunk.choices[0]?.finish_reason ?? finish;
      const piece = chunk.choices[0]?.delta?.content;
      if (typeof piece !== 'string' || !piece) continue;
      // Only content counts as progress: empty keep-alive chunks do not hold the stall timer off.
      touch();
      text += piece;
      if (text.length > DEFAULT_LLM_BOUNDS.maxAnswerChars) throw new LlmFailure(`the LLM answer passed ${DEFAULT_LLM_BOUNDS.maxAnswerChars} characters`);
      yield piece;
    }
    if (s.aborted) return text; // a timeout or the client: decided by `bounded`
    if (finish === null) throw new LlmFailure('the LLM stream ended without finishing (cut off)');
    if (finish === 'length') throw new LlmFailure(`the LLM answer was cut at ${maxTokens} tokens`);
    return text;
  });
}

/** The whole text of one completion (streamed underneath, so the stall timeout applies). */
export async function complete(llm: LlmOptions, messages: readonly LlmMessage[], maxTokens: number, budget: Budget, signal?: AbortSignal): Promise<string> {
  const gen = streamCompletion(llm, messages, maxTokens, budget, signal);
  let r = await gen.next();
  while (!r.done) r = await gen.next();
  return r.value;
}

/**
 * A marker placed in the answer prompt that no honest answer contains: an answer that repeats it
 * (or a long run of the prompt's instructions) is the prompt leaking, and is not used.
 */
export const PROMPT_CANARY = `pc-canary-${Math.random().toString(36).slice(2, 10)}`;

/** Runs of this many characters of the instructions, repeated in an answer, count as the prompt leaking. */
const LEAK_RUN = 80;

/** Whether `answer` repeats the canary or a long run of the prompt's own instructions (`instructions`). */
export function leaksPrompt(answer: string, instructions: string): boolean {
  if (answer.includes(PROMPT_CANARY)) return true;
  const flatInstructions = instructions.replace(/\s+/g, ' ');
  const flat = answer.replace(/\s+/g, ' ');
  for (let i = 0; i + LEAK_RUN <= flatInstructions.length; i += LEAK_RUN / 4) {
    if (flat.includes(flatInstructions.slice(i, i + LEAK_RUN))) return true;
  }
  return false;
}
