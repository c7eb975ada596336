import type { Context } from 'hono';

/** The routes that answer questions: each costs a chat against the rate limit and holds a chat slot. */
const CHAT_PATHS = new Set(['/api/chat', '/v1/chat/completions']);

/** A JSON-RPC message (or batch) that calls the `ask_papers` tool. */
function callsAsk(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => (m as { method?: unknown })?.method === 'tools/call' && (m as { params?: { name?: unknown } }).params?.name === 'ask_papers');
}

/**
 * Whether a request asks for an answer: `/api/chat`, `/v1/chat/completions`, or an MCP call of
 * `ask_papers` (its body is read, and kept for the route, to tell).
 */
export async function isChatRequest(c: Context): Promise<boolean> {
  if (CHAT_PATHS.has(c.req.path)) return true;
  if (c.req.path !== '/mcp' || c.req.method !== 'POST') return false;
  try {
    return callsAsk(JSON.parse(await c.req.text()));
  } catch {
    return false;
  }
}
