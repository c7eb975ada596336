import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { etag } from 'hono/etag';

export interface WebAssets {
  /** The chat page, a complete HTML document. */
  page: string;
  /** The embeddable widget script. */
  widget: string;
  /** `sha256-…` of the page's one inline script: the page's CSP allows that script and no other. */
  pageScriptHash: string;
}

/**
 * `GET /` the chat page, `GET /widget.js` the widget: both bundled into strings at build time,
 * served with an ETag (a revisit costs a 304) and, with `compressed` (the default), gzip or
 * deflate as the client accepts. Workers pass `compressed: false`: workerd compresses a response
 * itself, so a body compressed here would reach the client compressed twice.
 */
export function webRoutes(assets: WebAssets, { compressed = true }: { compressed?: boolean } = {}) {
  const encode = compressed ? [etag(), compress()] : [etag()];
  return new Hono()
    .use('/', ...encode)
    .use('/widget.js', ...encode)
    .get('/', (c) =>
      c.html(assets.page, 200, {
        'Content-Security-Policy': `default-src 'self'; script-src '${assets.pageScriptHash}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-cache',
      }),
    )
    .get('/widget.js', (c) =>
      c.body(assets.widget, 200, {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
        'Access-Control-Allow-Origin': '*',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'X-Content-Type-Options': 'nosniff',
      }),
    );
}
