import type OpenAI from 'openai';
import { formatHistory, formatSources, render, type PromptTemplates } from './prompts.js';
import type { ChatMessage, Source } from '../protocol/chat.js';

export interface LlmOptions {
  client: OpenAI;
  model: string;
  /** No first token, or no next token, within this long counts as a failure. */
  timeoutMs: number;
  prompts: PromptTemplates;
}

/** Why the LLM answer could not be used; the extractive answer replaces it. */
export class LlmFailure extends Error {
  override name = 'LlmFailure';
}

/** The model's way of saying the sources do not answer the question. */
export const NOT_COVERED = '[NONE]';

/** Runs `fn` with a signal that aborts on the caller's signal or after `timeoutMs` without `touch()`. */
async function* withStallTimeout<T>(
  timeoutMs: number,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal, touch: () => void) => AsyncGenerator<T, string>,
): AsyncGenerator<T, string> {
  const ctrl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, timeoutMs);
  };
  const onAbort = () => ctrl.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  touch();
  try {
    return yield* fn(ctrl.signal, touch);
  } catch (e) {
    if (timedOut) throw new LlmFailure(`the LLM did not answer within ${timeoutMs} ms`);
    if (outer?.aborted) throw e;
    throw new LlmFailure(describeLlmError(e));
  } finally {
    clearTimeout(timer);
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
  const system = render(llm.prompts.answer, { sources: formatSources(sources) });
  const history = messages.slice(-6).map((m) => ({ role: m.role, content: m.content }));
  return withStallTimeout(llm.timeoutMs, signal, async function* (s, touch) {
    const stream = await llm.client.chat.completions.create(
      { model: llm.model, messages: [{ role: 'system', content: system }, ...history], stream: true, temperature: 0.2 },
      { signal: s },
    );
    let text = '';
    let flushed = 0;
    for await (const chunk of stream) {
      touch();
      if (!chunk || !Array.isArray(chunk.choices)) throw new LlmFailure('the LLM stream sent a malformed chunk');
      const piece = chunk.choices[0]?.delta?.content;
      if (typeof piece !== 'string' || !piece) continue;
      text += piece;
      // Hold the first characters until it is clear the reply is not NOT_COVERED.
      const head = text.trimStart();
      if (head.length < NOT_COVERED.length && NOT_COVERED.startsWith(head)) continue;
      if (head.startsWith(NOT_COVERED)) continue;
      yield text.slice(flushed);
      flushed = text.length;
    }
    return text;
  });
}
