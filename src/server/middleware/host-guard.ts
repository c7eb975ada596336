import type { Context, MiddlewareHandler } from 'hono';
import { sendError } from '../errors.js';

export interface HostGuardOptions {
  /**
   * Host names this server answers to (`papers.example.org`, `localhost`), without ports. Empty:
   * any host (a server bound to a public address without ALLOWED_HOSTS).
   */
  allowedHosts: readonly string[];
  /** Requests exempt from the check (the server's own start-up warm-up). */
  skip?: (c: Context) => boolean;
}

/** The host name of a Host header value, without its port ("[::1]:8787" -> "[::1]"), lower-cased. */
export const hostName = (host: string) => host.toLowerCase().replace(/:\d+$/, '');

/**
 * Answers only requests addressed to one of the server's own host names, on every route and
 * method: a page on `evil.example` that rebinds its DNS name to this server's address (DNS
 * rebinding) sends `Host: evil.example` and gets 403, for a GET of the page or of a paper as for
 * an API call. Browsers send no Origin on same-origin GETs, so the Host is the only thing to check.
 *
 * @example
 * app.use('*', hostGuard({ allowedHosts: ['papers.example.org'] }))
 */
export function hostGuard(options: HostGuardOptions): MiddlewareHandler {
  const hosts = new Set(options.allowedHosts.map(hostName));
  return async (c, next) => {
    if (!hosts.size || options.skip?.(c)) return next();
    const host = hostName(new URL(c.req.url).host);
    if (hosts.has(host)) return next();
    return sendError(
      c,
      403,
      'host_not_allowed',
      `This server does not answer to the host name "${host}". Use its own address; its operator can add the name to ALLOWED_HOSTS (a comma-separated list).`,
    );
  };
}
