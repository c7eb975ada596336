import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { sendError } from '../errors.js';

export interface OriginGuardOptions {
  /** Origins allowed to call the API from a browser, e.g. `https://blog.example.org`; `*` allows all. */
  allowedOrigins: readonly string[];
}

/**
 * Browser requests from other origins must be on the allow-list: they get CORS headers; any other
 * cross-origin request (and its preflight) is refused with 403. Same-origin requests and requests
 * without an Origin header (curl, servers) pass. Which host names count as the server's own is
 * `hostGuard`'s decision, made before this runs.
 *
 * @example
 * app.use('/api/*', originGuard({ allowedOrigins: ['https://blog.example.org'] }))
 */
export function originGuard(options: OriginGuardOptions): MiddlewareHandler {
  const any = options.allowedOrigins.includes('*');
  const allowed = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
  const corsHeaders = cors({
    origin: (origin) => origin,
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Accept'],
    maxAge: 600,
  });
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (!origin || origin === new URL(c.req.url).origin) return next();
    if (any || allowed.has(origin.toLowerCase())) return corsHeaders(c, next);
    return sendError(
      c,
      403,
      'origin_not_allowed',
      `Requests from ${origin} are not allowed. The server's operator can add it to ALLOWED_ORIGINS (a comma-separated list).`,
    );
  };
}
