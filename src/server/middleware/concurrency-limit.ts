import type { MiddlewareHandler } from 'hono';
import { CLIENT_GONE, sendError } from '../errors.js';
import { isEventStream, watchStream } from './stream-end.js';

export interface ConcurrencyLimitOptions {
  /** Requests handled at once. */
  max: number;
  /** Requests that may wait for a slot at most; one more gets 503 with `Retry-After`. */
  queue: number;
  /**
   * A request is queued only when its wait, estimated from how long slots have recently been held,
   * is at most this long; else 503 at once. Unset: any place in the queue is taken.
   */
  maxWaitMs?: number;
  /** Seconds a refused client is told to wait. Default 5. */
  retryAfterSeconds?: number;
}

/** Weight of the latest hold in the running mean of slot hold times. */
const HOLD_WEIGHT = 0.1;

/**
 * At most `max` requests in their handler at once (an LLM behind them has finite capacity), the
 * next ones waiting in order while the wait is short (measured: `maxWaitMs`, up to `queue` of
 * them), any beyond refused at once with 503 and `Retry-After`. So quick (extractive) answers queue
 * deep and clients are served rather than sent away to retry, which costs the server more than
 * waiting; slow (LLM) answers queue only as deep as their measured duration allows. A slot is held
 * until the handler returns or, for an SSE stream, until the stream has been sent or abandoned.
 *
 * @example
 * app.use('/api/chat', concurrencyLimit({ max: 32, queue: 256, maxWaitMs: 10_000 }))
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): MiddlewareHandler {
  const { max, queue, maxWaitMs, retryAfterSeconds = 5 } = options;
  let active = 0;
  /** Running mean of how long a slot is held, ms (0 until one was). */
  let meanHoldMs = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  /** The wait of the next request to queue: the slots to free before its turn, each a mean hold. */
  const expectedWaitMs = () => Math.ceil((waiting.length + 1) / max) * meanHoldMs;
  const refuse = (c: Parameters<MiddlewareHandler>[0], why: string) => {
    c.header('Retry-After', String(retryAfterSeconds));
    return sendError(c, 503, 'busy', `The server is answering ${max} questions at once and ${why}. Try again in ${retryAfterSeconds} seconds.`);
  };
  return async (c, next) => {
    if (active >= max) {
      if (waiting.length >= queue) return refuse(c, `${queue} more are waiting`);
      if (maxWaitMs !== undefined && expectedWaitMs() > maxWaitMs) return refuse(c, `the next would wait about ${Math.round(expectedWaitMs() / 1000)} s`);
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else active++;
    const since = performance.now();
    let released = false;
    const once = () => {
      if (!released) {
        released = true;
        meanHoldMs = meanHoldMs ? meanHoldMs + HOLD_WEIGHT * (performance.now() - since - meanHoldMs) : performance.now() - since;
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
