import { Hono } from 'hono';
import type { Health } from '../schemas.js';

/** `GET /health` → counts and which retrieval and answer modes are live. */
export function healthRoutes(health: () => Health) {
  return new Hono().get('/health', (c) => c.json(health()));
}
