import type { Answerer } from '../answer/answerer.js';
import type { ChatMessage, ChatResult, Source } from '../protocol/chat.js';
import { ApiError } from './errors.js';

export const SHUTDOWN_MESSAGE = 'The server is shutting down and could not finish this answer. Ask again in a few seconds.';

/**
 * The signal an answer runs under: aborted when the client goes away or when `stop` aborts (the
 * server's shutdown grace is over). `release()` stops listening for the shutdown.
 */
export function answerSignal(request: Request, stop?: AbortSignal): { signal: AbortSignal; stopped(): boolean; release(): void } {
  const abort = new AbortController();
  request.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  const onStop = () => abort.abort();
  stop?.addEventListener('abort', onStop, { once: true });
  return { signal: abort.signal, stopped: () => stop?.aborted === true, release: () => stop?.removeEventListener('abort', onStop) };
}

/**
 * Runs the answerer to its end, for routes that answer in one piece (the OpenAI route without
 * streaming, MCP): the sources it offered and its result. An `error` event is an ApiError (500).
 */
export async function collectAnswer(answerer: Answerer, messages: ChatMessage[], signal?: AbortSignal): Promise<{ sources: Source[]; result: ChatResult }> {
  let sources: Source[] = [];
  let result: ChatResult | null = null;
  for await (const event of answerer.answer(messages, signal ? { signal } : {})) {
    if (event.type === 'sources') sources = event.sources;
    if (event.type === 'done') result = event.result;
    if (event.type === 'error') throw new ApiError(500, event.code, event.message);
  }
  if (!result) throw new ApiError(500, 'no_answer', 'The answerer produced no answer. Try again.');
  return { sources, result };
}

/** `collectAnswer` under the request's signal and the server's shutdown: a shutdown is a 503. */
export async function collectForRequest(answerer: Answerer, messages: ChatMessage[], request: Request, stop?: AbortSignal): Promise<{ sources: Source[]; result: ChatResult }> {
  const run = answerSignal(request, stop);
  try {
    return await collectAnswer(answerer, messages, run.signal);
  } catch (e) {
    if (run.stopped()) throw new ApiError(503, 'shutting_down', SHUTDOWN_MESSAGE);
    throw e;
  } finally {
    run.release();
  }
}
