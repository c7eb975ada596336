import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import type { Answerer } from '../../answer/answerer.js';
import type { Retriever } from '../../retrieval/retriever.js';
import { createMcpServer } from '../mcp.js';

/** A JSON-RPC error response (the MCP transport's own shape, for bodies it never sees). */
const rpcError = (code: number, message: string) => ({ jsonrpc: '2.0' as const, error: { code, message }, id: null });

/**
 * `POST /mcp`: the MCP server over Streamable HTTP, stateless (each POST is answered on its own,
 * as JSON: no session to keep, so any instance can answer; no GET stream, no DELETE). The app's origin rules, body limit, rate
 * limit (a tools/call of ask_papers counts as a chat) and chat slots apply before it.
 */
export function mcpRoutes(deps: { retriever: Retriever; answerer: Answerer }) {
  return new Hono().post('/mcp', async (c) => {
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(await c.req.text());
    } catch {
      return c.json(rpcError(-32700, 'Parse error: the request body is not valid JSON.'), 400);
    }
    const server = createMcpServer(deps);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw, { parsedBody });
    } finally {
      await server.close();
    }
  });
}
