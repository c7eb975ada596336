import type { MiddlewareHandler } from 'hono';
import { CLIENT_GONE, sendError } from '../errors.js';
import { isEventStream, watchStream } from './stream-end.js';

export interface ConcurrencyLimitOptions {
  /** Requests handled at once. */
  max: number;
  /** Requests that may wait for a slot; one more gets 503 with `Retry-After`. */
  queue: number;
  /** Seconds a refused client is told to wait. Default 5. */
  retryAfterSeconds?: number;
}

/**
 * At most `max` requests in their handler at once (an LLM behind them has finite capacity), the
 * next `queue` waiting in order, any beyond refused at once with 503 and `Retry-After`. A slot is
 * held until the handler returns or, for an SSE stream, until the stream has been sent or abandoned.
 *
 * @example
 * app.use('/api/chat', concurrencyLimit({ max: 32, queue: 64 }))
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): MiddlewareHandler {
  const { max, queue, retryAfterSeconds = 5 } = options;
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async (c, next) => {
    if (active >= max) {
      if (waiting.length >= queue) {
        c.header('Retry-After', String(retryAfterSeconds));
        return sendError(c, 503, 'busy', `The server is answering ${max} questions at once and ${queue} more are waiting. Try again in ${retryAfterSeconds} seconds.`);
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else active++;
    let released = false;
    const once = () => {
      if (!released) {
        released = true;
        release();
      }
    };
    // A client that goes away may leave its stream unread (the server stops pulling it): the
    // request's abort frees the slot then. One that left while it waited gets no work at all.
    const signal = c.req.raw.signal;
    if (signal?.aborted) {
      once();
      return sendError(c, CLIENT_GONE, 'client_gone', 'The request was abandoned before it could be answered.');
    }
    signal?.addEventListener('abort', once, { once: true });
    try {
      await next();
    } catch (e) {
      once();
      throw e;
    }
    // Only a stream is still working after the handler returns: hold the slot until it has been
    // sent, or the client goes away.
    if (isEventStream(c.res, c.req.method)) c.res = watchStream(c.res, once);
    else once();
  };
}
