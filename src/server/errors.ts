import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ErrorBody } from '../protocol/api.js';

/** An error whose message is safe and useful to show the client. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The status of a request whose client went away before its answer was complete (nginx's 499): the
 * client never sees it; the request log does, so an abandoned request is not taken for a failure.
 */
export const CLIENT_GONE = 499 as ContentfulStatusCode;

/** True when the client of this request has gone away (the adapter aborted the request's signal). */
export const clientGone = (c: Context) => c.req.raw.signal?.aborted === true;

export const errorBody = (code: string, message: string): ErrorBody => ({ error: { code, message } });

export const sendError = (c: Context, status: ContentfulStatusCode, code: string, message: string) =>
  c.json(errorBody(code, message), status);

/** "field `messages.0.role`: Invalid option ..." — names the field, as users need. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      const field = i.path.length ? i.path.join('.') : 'body';
      return `${field}: ${i.message}`;
    })
    .join('; ');
}

/**
 * Hono `onError`: known errors keep their status and message; an error because the client went away
 * is a quiet 499; anything else is a logged 500 without internals.
 */
export function handleError(err: Error, c: Context, log: (msg: string) => void = console.error) {
  if (err instanceof ApiError) return sendError(c, err.status, err.code, err.message);
  if (clientGone(c)) return sendError(c, CLIENT_GONE, 'client_gone', 'The client went away before the answer was complete.');
  const status = (err as { status?: number }).status;
  if (status && status >= 400 && status < 500) {
    return sendError(c, status as ContentfulStatusCode, 'bad_request', err.message || 'bad request');
  }
  log(`internal error on ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
  return sendError(c, 500, 'internal', 'Something went wrong on the server. Try again; if it keeps happening, check the server log.');
}
