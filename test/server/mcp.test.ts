/**
 * The MCP server with the SDK's own client, over both transports: Streamable HTTP at `/mcp` (the
 * client's requests go to the app through `app.request()`) and stdio (`dist/mcp.js`, what
 * `npm run mcp` runs, as a child process). Lists and calls the three tools.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Paper } from '../../src/corpus/schema.js';
import { buildApp } from '../../src/node.js';
import type { ChatResult } from '../../src/protocol/chat.js';
import { baseEnv, logSink, makeDirs, type TestDirs } from '../helpers/app.js';

const CORPUS = 'test/fixtures/tiny-corpus.jsonl';
let dirs: TestDirs;
let built: Awaited<ReturnType<typeof buildApp>>;
let papers: readonly Paper[];

const questionFrom = (p: Paper) => p.abstract.split(/(?<=\.)\s/)[0]!;

beforeAll(async () => {
  dirs = await makeDirs('mcp');
  built = await buildApp(loadConfig({ ...baseEnv(dirs), CORPUS_PATH: CORPUS, DATABASE_PATH: ':memory:', ALLOWED_HOSTS: 'paper-chat.test' }), logSink().log);
  papers = built.index.papers;
  await promisify(execFile)(process.execPath, ['scripts/build-server.mjs']);
}, 60_000);
afterAll(async () => {
  built?.records?.close();
  await dirs?.cleanup();
});

/** Lists the tools and calls each, as an MCP client would. */
async function exercise(client: Client) {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual(['ask_papers', 'get_paper', 'search_papers']);
  for (const t of tools) {
    expect(t.description!.length).toBeGreaterThan(20);
    expect(t.inputSchema.type).toBe('object');
    expect(t.outputSchema?.type).toBe('object');
  }
  const paper = papers[2]!;

  const search = await client.callTool({ name: 'search_papers', arguments: { query: paper.title, k: 3 } });
  const results = (search.structuredContent as { results: { id: string; title: string }[] }).results;
  expect(results).toHaveLength(3);
  expect(results[0]!.id).toBe(paper.id);
  expect((search.content as { type: string; text: string }[])[0]!.text).toContain(paper.title);

  const got = await client.callTool({ name: 'get_paper', arguments: { id: paper.id } });
  expect(got.structuredContent).toMatchObject({ id: paper.id, title: paper.title, abstract: paper.abstract });
  const missing = await client.callTool({ name: 'get_paper', arguments: { id: 'no-such-paper' } });
  expect(missing.isError).toBe(true);
  expect((missing.content as { text: string }[])[0]!.text).toContain('no-such-paper');

  const asked = await client.callTool({ name: 'ask_papers', arguments: { question: questionFrom(paper) } });
  const result = asked.structuredContent as ChatResult;
  expect(result.abstained).toBe(false);
  const cited = result.citations.find((c) => c.id === paper.id)!;
  expect(cited).toBeDefined();
  // The quote is a literal span of the abstract, and the text the model reads carries it too.
  expect(paper.abstract.slice(cited.quote!.start, cited.quote!.end)).toBe(cited.quote!.text);
  const text = (asked.content as { text: string }[])[0]!.text;
  expect(text).toContain(`[${cited.n}] ${paper.title}`);
  expect(text).toContain(cited.quote!.text);
  expect(text).toMatch(/\[\d+\]/);

  const bad = await client.callTool({ name: 'ask_papers', arguments: { question: '' } });
  expect(bad.isError).toBe(true);
}

describe('MCP over Streamable HTTP (/mcp)', () => {
  it('the SDK client lists and calls the three tools', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL('http://paper-chat.test/mcp'), {
      fetch: (url, init) => Promise.resolve(built.app.request(String(url), init as RequestInit)),
    });
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBe('paper-chat');
    await exercise(client);
    await client.close();
  });

  it('the API’s origin rule and body limit apply; a body that is not JSON gets a JSON-RPC parse error', async () => {
    const init = (headers: Record<string, string>, body: string) => ({ method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body });
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const foreign = await built.app.request('http://paper-chat.test/mcp', init({ origin: 'https://evil.example' }, ping));
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
    const huge = await built.app.request('http://paper-chat.test/mcp', init({}, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(600_000) } })));
    expect(huge.status).toBe(413);
    const garbled = await built.app.request('http://paper-chat.test/mcp', init({}, '{"jsonrpc": "2.0", '));
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });
});

describe('MCP over stdio (npm run mcp)', () => {
  it('the SDK client starts dist/mcp.js, lists and calls the three tools', async () => {
    const env = Object.fromEntries(Object.entries({ ...baseEnv(dirs), CORPUS_PATH: CORPUS, DATABASE_PATH: ':memory:' }).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const transport = new StdioClientTransport({ command: process.execPath, args: ['dist/mcp.js'], env, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: 'test', version: '1.0.0' });
    try {
      await client.connect(transport);
      await exercise(client);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nserver stderr:\n${stderr}`);
    } finally {
      await client.close();
    }
    expect(stderr).toContain('MCP server on stdio');
  });
});
