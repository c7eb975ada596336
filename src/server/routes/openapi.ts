import { Hono } from 'hono';
import { openApiDocument, type DocumentOptions } from '../openapi/document.js';
import { docsPage } from '../openapi/docs-page.js';

/** `GET /openapi.json` (OpenAPI 3.1, generated from the route schemas) and `GET /docs` (it, as a page without scripts). */
export function openApiRoutes(options: DocumentOptions) {
  let doc: ReturnType<typeof openApiDocument> | null = null;
  let page: string | null = null;
  const document = () => (doc ??= openApiDocument(options));
  return new Hono()
    .get('/openapi.json', (c) => c.json(document()))
    .get('/docs', (c) =>
      c.html((page ??= docsPage(document() as Parameters<typeof docsPage>[0])), 200, {
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      }),
    );
}
