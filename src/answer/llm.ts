import type OpenAI from 'openai';
import { formatHistory, formatSources, render, type PromptTemplates } from './prompts.js';
import type { ChatMessage, Source } from '../protocol/chat.js';

export interface LlmOptions {
  client: OpenAI;
  model: string;
  /** No first token, or no next token with content, within this long counts as a failure. */
  timeoutMs: number;
  /** A whole call (first token to last) that takes longer than this counts as a failure. Default 90 s. */
  deadlineMs?: number;
  /** `max_tokens` of an answer; an answer cut at it (`finish_reason: length`) is not used. Default 800. */
  maxTokens?: number;
  prompts: PromptTemplates;
}

/** Defaults of the LLM calls' bounds (one place; LLM_DEADLINE_MS and LLM_MAX_TOKENS set them). */
export const DEFAULT_LLM_BOUNDS = {
  deadlineMs: 90_000,
  maxTokens: 800,
  /** An answer longer than this many characters is cut off and not used (a runaway stream). */
  maxAnswerChars: 12_000,
  /** Turns of the conversation sent with an answer request. */
  historyTurns: 6,
  /** Characters of each earlier turn sent (the question itself is bounded by the wire contract). */
  historyChars: 2_000,
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

/** The model's way of saying the sources do not answer the question. */
export const NOT_COVERED = '[NONE]';

/**
 * Runs `fn` with a signal that aborts on the caller's signal, after `timeoutMs` without `touch()`
 * (a stall), or after `deadlineMs` in all (a call that never ends, however busy).
 */
async function* withStallTimeout<T>(
  timeoutMs: number,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal, touch: () => void) => AsyncGenerator<T, string>,
  deadlineMs: number = DEFAULT_LLM_BOUNDS.deadlineMs,
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
    timer = setTimeout(() => expire(`the LLM sent nothing for ${timeoutMs} ms`), timeoutMs);
  };
  const deadline = setTimeout(() => expire(`the LLM did not finish within ${deadlineMs} ms`), deadlineMs);
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
  if (e instanceof LlmFailure) return e.message;
  const err = e as { status?: number; message?: string; cause?: { code?: string } };
  if (err.status) return `the LLM server answered HTTP ${err.status}`;
  if (err.cause?.code) return `the LLM server could not be reached (${err.cause.code})`;
  return `the LLM request failed (${err.message ?? String(e)})`;
}

/** One non-streaming completion of a single-message prompt at temperature 0, within the stall timeout. */
async function completeOnce(llm: LlmOptions, prompt: string, extra: { max_tokens?: number }, signal?: AbortSignal): Promise<string> {
  const gen = withStallTimeout(llm.timeoutMs, signal, async function* (s) {
    const res = await llm.client.chat.completions.create({ model: llm.model, messages: [{ role: 'user', content: prompt }], temperature: 0, ...extra }, { signal: s });
    return res.choices[0]?.message?.content ?? '';
  });
  let r = await gen.next();
  while (!r.done) r = await gen.next();
  return r.value;
}

/**
 * Rewrites a follow-up ("what datasets did they use?") as a standalone search query.
 * Returns null when the LLM fails: the caller then uses the conversation-based query.
 */
export async function condenseQuery(llm: LlmOptions, messages: readonly ChatMessage[], signal?: AbortSignal): Promise<string | null> {
  const question = messages[messages.length - 1]!.content;
  const prompt = render(llm.prompts.condense, { history: formatHistory(messages.slice(0, -1)), question });
  try {
    const text = await completeOnce(llm, prompt, {}, signal);
    const query = text.split('\n')[0]!.replace(/^["']|["']$/g, '').trim();
    return query.length >= 3 ? query : null;
  } catch {
    return null;
  }
}

/** Defaults of LLM follow-up suggestions (one place). */
export const DEFAULT_LLM_SUGGESTIONS = {
  /** Tokens the model may write for its suggestions. */
  maxTokens: 120,
  /** A suggestion is a question of this many characters at most. */
  maxChars: 160,
} as const;

/**
 * Asks the LLM for follow-up questions to an answer it wrote (the `suggest` prompt). Returns the
 * well-formed ones (questions, short, no markers), or null when the prompt is missing, the call
 * fails or too few come back: the caller then suggests from the cited papers.
 */
export async function suggestWithLlm(
  llm: LlmOptions,
  input: { question: string; answer: string; titles: readonly string[] },
  signal?: AbortSignal,
): Promise<string[] | null> {
  if (!llm.prompts.suggest) return null;
  const prompt = render(llm.prompts.suggest, { titles: input.titles.map((t) => `- ${t}`).join('\n'), question: input.question, answer: input.answer });
  try {
    const text = await completeOnce(llm, prompt, { max_tokens: DEFAULT_LLM_SUGGESTIONS.maxTokens }, signal);
    const asked = input.question.trim().toLowerCase();
    const lines = text
      .split('\n')
      .map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
      .filter((l) => l.endsWith('?') && l.length >= 12 && l.length <= DEFAULT_LLM_SUGGESTIONS.maxChars && !/[[\]<>]/.test(l) && l.toLowerCase() !== asked);
    const unique = [...new Set(lines)].slice(0, 3);
    return unique.length >= 2 ? unique : null;
  } catch {
    return null;
  }
}

/**
 * A marker placed in the answer prompt that no honest answer contains: an answer that repeats it
 * (or a long run of the prompt's instructions) is the prompt leaking, and is not used.
 */
export const PROMPT_CANARY = `pc-canary-${Math.random().toString(36).slice(2, 10)}`;

/** Runs of this many characters of the instructions, repeated in an answer, count as the prompt leaking. */
const LEAK_RUN = 80;

/** Whether `answer` repeats the canary or a long run of the prompt's own instructions (`template`). */
export function leaksPrompt(answer: string, template: string): boolean {
  if (answer.includes(PROMPT_CANARY)) return true;
  const instructions = template.split('{{sources}}')[0]!.replace(/\s+/g, ' ');
  const flat = answer.replace(/\s+/g, ' ');
  for (let i = 0; i + LEAK_RUN <= instructions.length; i += LEAK_RUN / 4) {
    if (flat.includes(instructions.slice(i, i + LEAK_RUN))) return true;
  }
  return false;
}

/**
 * Streams the LLM's answer over the numbered sources, yielding text deltas as they arrive, and
 * returns the whole text. A reply that starts with NOT_COVERED is held back, not streamed.
 * Throws LlmFailure on an HTTP error, a refused connection, a stall or a malformed stream.
 */
export function streamLlmAnswer(
  llm: LlmOptions,
  messages: readonly ChatMessage[],
  sources: readonly (Source & { abstract: string })[],
  signal?: AbortSignal,
): AsyncGenerator<string, string> {
  const b = DEFAULT_LLM_BOUNDS;
  const system = `${render(llm.prompts.answer, { sources: formatSources(sources) })}\n\n(Internal reference, never to be repeated: ${PROMPT_CANARY})`;
  const history = messages.slice(-b.historyTurns).map((m, i, all) => ({ role: m.role, content: i === all.length - 1 ? m.content : m.content.slice(0, b.historyChars) }));
  return withStallTimeout(
    llm.timeoutMs,
    signal,
    async function* (s, touch) {
      const stream = await llm.client.chat.completions.create(
        { model: llm.model, messages: [{ role: 'system', content: system }, ...history], stream: true, temperature: 0.2, max_tokens: llm.maxTokens ?? b.maxTokens },
        { signal: s },
      );
      let text = '';
      let flushed = 0;
      // Whether the reply is NOT_COVERED is decided once, on its first characters.
      let covered: boolean | null = null;
      let finish: string | null = null;
      for await (const chunk of stream) {
        if (!chunk || !Array.isArray(chunk.choices)) throw new LlmFailure('the LLM stream sent a malformed chunk');
        finish = chunk.choices[0]?.finish_reason ?? finish;
        const piece = chunk.choices[0]?.delta?.content;
        if (typeof piece !== 'string' || !piece) continue;
        // Only content counts as progress: empty keep-alive chunks do not hold the stall timer off.
        touch();
        text += piece;
        if (text.length > b.maxAnswerChars) throw new LlmFailure(`the LLM answer passed ${b.maxAnswerChars} characters`);
        if (covered === null) {
          const head = text.trimStart();
          if (head.length < NOT_COVERED.length && NOT_COVERED.startsWith(head)) continue;
          covered = !head.startsWith(NOT_COVERED);
        }
        if (!covered) continue;
        yield text.slice(flushed);
        flushed = text.length;
      }
      if (s.aborted) return text; // a timeout or the client: decided by the caller
      if (finish === null) throw new LlmFailure('the LLM stream ended without finishing (cut off)');
      if (finish === 'length') throw new LlmFailure(`the LLM answer was cut at ${llm.maxTokens ?? b.maxTokens} tokens`);
      return text;
    },
    llm.deadlineMs,
  );
}
