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

/** Hono `onError`: known errors keep their status and message; anything else is a logged 500 without internals. */
export function handleError(err: Error, c: Context, log: (msg: string) => void = console.error) {
  if (err instanceof ApiError) return sendError(c, err.status, err.code, err.message);
  const status = (err as { status?: number }).status;
  if (status && status >= 400 && status < 500) {
    return sendError(c, status as ContentfulStatusCode, 'bad_request', err.message || 'bad request');
  }
  log(`internal error on ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
  return sendError(c, 500, 'internal', 'Something went wrong on the server. Try again; if it keeps happening, check the server log.');
}
