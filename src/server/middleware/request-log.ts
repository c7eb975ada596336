import type { Context, MiddlewareHandler } from 'hono';
import { CLIENT_GONE, clientGone } from '../errors.js';
import { isEventStream, watchStream } from './stream-end.js';

/** One request-log entry: no bodies, keys or prompts. */
export interface RequestLogEntry {
  id: string;
  method: string;
  path: string;
  /** The status sent; 499 when the client went away first (it saw no complete answer). */
  status: number;
  /** From the request's arrival to its answer's end (for a stream, its last event). */
  ms: number;
}

/** The request-log line of an entry (the Node adapter writes lines in the same format for requests the app never sees). */
export const requestLine = (entry: RequestLogEntry) => JSON.stringify(entry);

/** The request's id: the client's `X-Request-Id` when it is a plausible id, else a new one. */
export const requestId = (header: string | undefined) => header?.match(/^[\w-]{8,64}$/)?.[0] ?? crypto.randomUUID();

export interface RequestLogOptions {
  /** Receives each line. */
  write: (line: string) => void;
  /** Requests not logged (the server's own start-up warm-up). */
  skip?: (c: Context) => boolean;
}

/**
 * One structured line per request (id, method, path, status, duration), written when the answer is
 * complete: for an SSE stream when its last event is sent, or with status 499 when the client went
 * away first. The id is also sent as `X-Request-Id`.
 *
 * @example
 * app.use('*', requestLog({ write: (line) => console.error(`request ${line}`) }))
 */
export function requestLog(options: RequestLogOptions): MiddlewareHandler {
  return async (c, next) => {
    const id = requestId(c.req.header('x-request-id'));
    const t0 = performance.now();
    c.header('X-Request-Id', id);
    await next();
    if (options.skip?.(c)) return;
    const line = (status: number) => options.write(requestLine({ id, method: c.req.method, path: c.req.path, status, ms: Math.round(performance.now() - t0) }));
    if (isEventStream(c.res, c.req.method)) {
      const status = c.res.status;
      c.res = watchStream(c.res, (outcome) => line(outcome === 'cancelled' ? CLIENT_GONE : status));
    } else line(c.res.status !== CLIENT_GONE && clientGone(c) ? CLIENT_GONE : c.res.status);
  };
}
