import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { sendError } from '../errors.js';

export interface OriginGuardOptions {
  /** Origins allowed to call the API from a browser, e.g. `https://blog.example.org`; `*` allows all. */
  allowedOrigins: readonly string[];
  /**
   * Host names this server answers to (`papers.example.org`, `localhost`): only a request to one of
   * them counts as same-origin. Empty: any host (a server bound to a public address without
   * ALLOWED_HOSTS). The Node entry passes the loopback names when it listens on loopback, so a page
   * on `evil.example` rebinding its name to 127.0.0.1 (DNS rebinding) is cross-origin and refused.
   */
  allowedHosts?: readonly string[];
}

/** The host name of a Host header value, without its port ("[::1]:8787" -> "[::1]"). */
const hostName = (host: string) => host.toLowerCase().replace(/:\d+$/, '');

/**
 * Browser requests from other origins must be on the allow-list: they get CORS headers; any other
 * cross-origin request (and its preflight) is refused with 403. Same-origin requests and requests
 * without an Origin header (curl, servers) pass.
 *
 * @example
 * app.use('/api/*', originGuard({ allowedOrigins: ['https://blog.example.org'] }))
 */
export function originGuard(options: OriginGuardOptions): MiddlewareHandler {
  const any = options.allowedOrigins.includes('*');
  const hosts = new Set((options.allowedHosts ?? []).map(hostName));
  const allowed = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
  const corsHeaders = cors({
    origin: (origin) => origin,
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Accept'],
    maxAge: 600,
  });
  return async (c, next) => {
    const origin = c.req.header('origin');
    const url = new URL(c.req.url);
    const ownHost = !hosts.size || hosts.has(hostName(url.host));
    if (!origin || (ownHost && origin === url.origin)) return next();
    if (any || allowed.has(origin.toLowerCase())) return corsHeaders(c, next);
    return sendError(
      c,
      403,
      'origin_not_allowed',
      `Requests from ${origin} are not allowed. The server's operator can add it to ALLOWED_ORIGINS (a comma-separated list).`,
    );
  };
}
