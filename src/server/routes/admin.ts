import { Hono, type Context } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import { buildReport, reportHtml, type PaperLookup } from '../../insights/report.js';
import type { FeedbackStore } from '../../insights/store.js';
import type { Embedder } from '../../retrieval/embedder.js';
import { sendError } from '../errors.js';

/** The token a request presents: `Authorization: Bearer TOKEN`, or Basic with TOKEN as the password (a browser's login prompt). */
function presented(c: Context): string | null {
  const header = c.req.header('authorization') ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1];
  if (bearer) return bearer.trim();
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  if (!basic) return null;
  try {
    const decoded = atob(basic);
    return decoded.slice(decoded.indexOf(':') + 1);
  } catch {
    return null;
  }
}

/**
 * `GET /admin`: the coverage report (top unanswered topics, papers never cited, feedback by paper)
 * for the holder of ADMIN_TOKEN, as HTML, or JSON with `Accept: application/json`. Mounted only
 * when the token is set.
 */
export function adminRoutes(token: string, store: FeedbackStore, papers: PaperLookup, embedder: Embedder | null) {
  return new Hono().get('/admin', async (c) => {
    const given = presented(c);
    if (!given || !(await timingSafeEqual(given, token))) {
      c.header('WWW-Authenticate', 'Basic realm="paper chat admin", charset="UTF-8"');
      return sendError(c, 401, 'unauthorized', 'The report needs the ADMIN_TOKEN: send Authorization: Bearer <token> (or sign in with it as the password).');
    }
    const report = await buildReport(store, papers, embedder);
    c.header('Cache-Control', 'no-store');
    if (/\bapplication\/json\b/.test(c.req.header('accept') ?? '')) return c.json(report);
    return c.html(reportHtml(report), 200, {
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
  });
}
