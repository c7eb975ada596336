import { Hono } from 'hono';
import type { Health } from '../../protocol/api.js';

/**
 * `GET /health` → counts and which retrieval and answer modes are live, after a real search through
 * the index (a smoke query): 200 `ok`, or 503 `degraded` saying what failed.
 */
export function healthRoutes(health: () => Promise<Health>) {
  return new Hono().get('/health', async (c) => {
    const h = await health();
    return c.json(h, h.status === 'ok' ? 200 : 503);
  });
}
