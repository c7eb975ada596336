import { Hono } from 'hono';

export interface WebAssets {
  /** The chat page, a complete HTML document. */
  page: string;
  /** The embeddable widget script. */
  widget: string;
}

/** `GET /` the chat page, `GET /widget.js` the widget: both bundled into strings at build time. */
export function webRoutes(assets: WebAssets) {
  return new Hono()
    .get('/', (c) =>
      c.html(assets.page, 200, {
        'Content-Security-Policy':
          "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'self'",
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      }),
    )
    .get('/widget.js', (c) =>
      c.body(assets.widget, 200, {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Cache-Control': 'public, max-age=300',
        'Access-Control-Allow-Origin': '*',
        'X-Content-Type-Options': 'nosniff',
      }),
    );
}
