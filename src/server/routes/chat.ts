import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Answerer } from '../../answer/answerer.js';
import type { ChatEvent, ChatResult } from '../../protocol/chat.js';
import { ApiError } from '../errors.js';
import { jsonBody } from '../middleware/json-body.js';
import { ChatRequestSchema } from '../schemas.js';

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

/** `POST /api/chat`: JSON by default; SSE with `stream: true` or `Accept: text/event-stream`. */
export function chatRoutes(answerer: Answerer, log: (msg: string) => void) {
  return new Hono().post('/api/chat', jsonBody(ChatRequestSchema), async (c) => {
    const { messages, stream } = c.get('body');
    const wantsStream = stream || /\btext\/event-stream\b/.test(c.req.header('accept') ?? '');
    const abort = new AbortController();
    c.req.raw.signal?.addEventListener('abort', () => abort.abort(), { once: true });

    if (!wantsStream) {
      let result: ChatResult | null = null;
      for await (const event of answerer.answer(messages, { signal: abort.signal })) {
        if (event.type === 'done') result = event.result;
        if (event.type === 'error') throw new ApiError(500, event.code, event.message);
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
        for await (const event of answerer.answer(messages, { signal: abort.signal })) {
          if (sse.aborted || sse.closed) break;
          await sse.writeSSE(toSse(event));
        }
      },
      async (err, sse) => {
        log(`chat stream failed: ${err.stack ?? err.message}`);
        await sse.writeSSE(toSse({ type: 'error', code: 'internal', message: 'The answer could not be completed. Try again.' }));
      },
    );
  });
}
