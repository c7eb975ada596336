import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Answerer } from '../../answer/answerer.js';
import type { ChatEvent, ChatResult } from '../../protocol/chat.js';
import { ApiError, clientGone } from '../errors.js';
import { jsonBody } from '../middleware/json-body.js';
import { ChatRequestSchema } from '../../protocol/api.js';

const SHUTDOWN_MESSAGE = 'The server is shutting down and could not finish this answer. Ask again in a few seconds.';

/** The SSE event name and JSON payload of one answerer event. */
function toSse(event: ChatEvent): { event: string; data: string } {
  switch (event.type) {
    case 'sources':
      return { event: 'sources', data: JSON.stringify({ sources: event.sources }) };
    case 'delta':
      return { event: 'delta', data: JSON.stringify({ text: event.text }) };
    case 'done':
      return { event: 'done', data: JSON.stringify(event.result) };
    case 'error':
      return { event: 'error', data: JSON.stringify({ error: { code: event.code, message: event.message } }) };
  }
}

/**
 * `POST /api/chat`: JSON by default; SSE with `stream: true` or `Accept: text/event-stream`.
 * When `stop` aborts (the server's shutdown grace is over), an answer still running is abandoned:
 * a stream ends with an `error` event, a JSON request gets 503.
 */
export function chatRoutes(answerer: Answerer, log: (msg: string) => void, stop?: AbortSignal) {
  return new Hono().post('/api/chat', jsonBody(ChatRequestSchema), async (c) => {
    const { messages, stream } = c.get('body');
    const wantsStream = stream || /\btext\/event-stream\b/.test(c.req.header('accept') ?? '');
    const abort = new AbortController();
    c.req.raw.signal?.addEventListener('abort', () => abort.abort(), { once: true });
    const onStop = () => abort.abort();
    stop?.addEventListener('abort', onStop, { once: true });
    const shuttingDown = () => stop?.aborted === true;

    if (!wantsStream) {
      let result: ChatResult | null = null;
      try {
        for await (const event of answerer.answer(messages, { signal: abort.signal })) {
          if (event.type === 'done') result = event.result;
          if (event.type === 'error') throw new ApiError(500, event.code, event.message);
        }
      } catch (e) {
        if (shuttingDown()) throw new ApiError(503, 'shutting_down', SHUTDOWN_MESSAGE);
        throw e;
      } finally {
        stop?.removeEventListener('abort', onStop);
      }
      if (!result) throw new ApiError(500, 'no_answer', 'The answerer produced no answer. Try again.');
      return c.json(result);
    }

    // Proxies such as nginx must pass events through as they come, not buffer the response.
    c.header('X-Accel-Buffering', 'no');
    c.header('Cache-Control', 'no-cache');
    return streamSSE(
      c,
      async (sse) => {
        sse.onAbort(() => abort.abort());
        let finished = false;
        try {
          for await (const event of answerer.answer(messages, { signal: abort.signal })) {
            if (sse.aborted || sse.closed) break;
            await sse.writeSSE(toSse(event));
            finished ||= event.type === 'done' || event.type === 'error';
          }
        } catch (e) {
          if (!shuttingDown()) throw e;
        } finally {
          stop?.removeEventListener('abort', onStop);
        }
        if (!finished && shuttingDown() && !sse.closed) await sse.writeSSE(toSse({ type: 'error', code: 'shutting_down', message: SHUTDOWN_MESSAGE }));
      },
      async (err, sse) => {
        // A client that went away is not a failure: the request log shows it (499), nothing else.
        if (sse.aborted || clientGone(c)) return;
        log(`chat stream failed: ${err.stack ?? err.message}`);
        await sse.writeSSE(toSse({ type: 'error', code: 'internal', message: 'The answer could not be completed. Try again.' }));
      },
    );
  });
}
