/**
 * `/openapi.json` is a valid OpenAPI 3.1 document (checked by @readme/openapi-parser), it names
 * every route the app has, and every documented status of every operation is produced by the app
 * (a request made to provoke it), with a body that validates against the documented schema (Ajv,
 * JSON Schema 2020-12 as OpenAPI 3.1 uses). `/docs` renders it without a script.
 */
import { compileErrors, dereference, validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/node.js';
import type { ChatResult } from '../../src/protocol/chat.js';
import { createApp } from '../../src/server/app.js';
import { baseEnv, logSink, makeDirs, type TestDirs } from '../helpers/app.js';

type App = Awaited<ReturnType<typeof buildApp>>['app'];
interface Operation {
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

const ADMIN_TOKEN = 'openapi-walk-admin-token';
let dirs: TestDirs;
let built: Awaited<ReturnType<typeof buildApp>>;
/** The same app, rate-limited to one request a minute per client, and one that is shutting down. */
let limited: App;
let draining: App;
let raw: Doc;
let doc: Doc;
let signature: string;
let paperId: string;

beforeAll(async () => {
  dirs = await makeDirs('openapi');
  built = await buildApp(loadConfig({ ...baseEnv(dirs), DATABASE_PATH: ':memory:', ADMIN_TOKEN }), logSink().log);
  const deps = { retriever: built.retriever, answerer: built.answerer, embedder: { id: 'none' }, assets: { page: '<!doctype html>', widget: '', pageScriptHash: 'sha256-x' }, records: { store: built.records!.store }, adminToken: ADMIN_TOKEN };
  limited = createApp({ ...deps, rateLimitPerMinute: 1, log: () => {} });
  draining = createApp({ ...deps, lifecycle: { draining: () => true, stop: new AbortController().signal }, log: () => {} });
  raw = (await (await built.app.request('/openapi.json')).json()) as Doc;
  doc = (await dereference(structuredClone(raw) as never)) as unknown as Doc;
  paperId = built.index.papers[0]!.id;
  const question = built.index.papers[0]!.abstract.split(/(?<=\.)\s/)[0]!;
  const answer = (await (await built.app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: question }] }) })).json()) as ChatResult;
  signature = answer.signature!;
});
afterAll(async () => {
  built?.records?.close();
  await dirs?.cleanup();
});

/** A request that succeeds on each operation. */
function valid(method: string, path: string): RequestInit & { url: string } {
  const body = (b: unknown) => ({ method: method.toUpperCase(), headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(b) });
  const at = (url: string, init: RequestInit = {}) => ({ url, method: method.toUpperCase(), ...init });
  switch (`${method} ${path}`) {
    case 'post /api/search': return at(path, body({ query: 'graph neural networks', k: 3 }));
    case 'post /api/chat': return at(path, body({ messages: [{ role: 'user', content: 'Which papers study graph neural networks?' }] }));
    case 'post /api/feedback': return at(path, body({ signature, vote: 'up' }));
    case 'get /api/papers/{id}': return at(`/api/papers/${paperId}`);
    case 'get /api/papers/{id}/cite': return at(`/api/papers/${paperId}/cite?format=bibtex`);
    case 'get /v1/models/{model}': return at('/v1/models/paper-chat');
    case 'post /v1/chat/completions': return at(path, body({ model: 'paper-chat', messages: [{ role: 'user', content: 'Which papers study graph neural networks?' }] }));
    case 'post /mcp': return at(path, body({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    case 'get /admin': return at(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'application/json' } });
    default: return at(path);
  }
}

/** How to provoke each documented status of an operation: the app to ask and the request. */
function provoke(method: string, path: string, status: string): { app: App; url: string; init: RequestInit } {
  const { url, ...init } = valid(method, path);
  const withBody = (b: string, headers: Record<string, string> = {}) => ({ app: built.app, url, init: { ...init, headers: { ...(init.headers as Record<string, string>), ...headers }, body: b } });
  switch (status) {
    case '200':
    case '201':
      return { app: built.app, url, init };
    case '400': {
      const bad: Record<string, string> = {
        '/api/search': JSON.stringify({ query: '' }),
        '/api/chat': JSON.stringify({ messages: [] }),
        '/api/feedback': JSON.stringify({ signature, vote: 'sideways' }),
        '/v1/chat/completions': JSON.stringify({ model: 'paper-chat', messages: [{ role: 'system', content: 'only this' }] }),
        '/mcp': '{"jsonrpc": ',
      };
      if (path === '/api/papers/{id}/cite') return { app: built.app, url: url.replace('bibtex', 'pdf'), init };
      return withBody(bad[path]!);
    }
    case '401':
      return { app: built.app, url, init: { ...init, headers: {} } };
    case '404': {
      if (path === '/api/feedback') return withBody(JSON.stringify({ signature: '0'.repeat(64), vote: 'up' }));
      if (path === '/v1/chat/completions') return withBody(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
      return { app: built.app, url: url.replace(paperId, 'no-such-paper').replace('/v1/models/paper-chat', '/v1/models/gpt-4o'), init };
    }
    case '403':
      return { app: built.app, url, init: { ...init, headers: { ...(init.headers as Record<string, string>), origin: 'https://evil.example' } } };
    case '413':
      return withBody(JSON.stringify({ pad: 'x'.repeat(600 * 1024) }));
    case '415':
      return withBody(String(init.body), { 'content-type': 'text/plain' });
    case '429':
      return { app: limited, url, init: { ...init, headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': `198.51.100.${path.length}` } } };
    case '503':
      return { app: draining, url, init };
    default:
      throw new Error(`no way to provoke ${status} on ${method.toUpperCase()} ${path}: add one, or do not document it`);
  }
}

const ajv = new Ajv2020({ strict: false, allErrors: true });

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(raw.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(raw) as never);
    expect(result.valid ? [] : compileErrors(result)).toEqual([]);
    expect(result.valid && result.warnings).toEqual([]);
  });

  it('documents every route the app has, and no route it lacks', () => {
    const routes = new Set(
      built.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)));
    expect([...documented].sort()).toEqual([...routes].sort());
  });

  it('every documented status of every operation comes from the app, with a body of the documented schema', async () => {
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const { app, url, init } = provoke(method, path, status);
          let res = await app.request(url, init);
          if (status === '429') res = await app.request(url, init);
          const what = `${method.toUpperCase()} ${path} → ${status}`;
          expect(String(res.status), `${what}: ${await res.clone().text()}`).toBe(status);
          const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
          const media = Object.keys(response.content ?? {}).find((m) => m === type);
          expect(media, `${what}: ${type} is not documented`).toBeDefined();
          if (type === 'application/json') {
            const schema = response.content![media!]!.schema!;
            const check = ajv.compile(schema);
            expect(check(await res.json()), `${what}: ${JSON.stringify(check.errors)}`).toBe(true);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
  });
});

describe('/docs', () => {
  it('renders every operation, with a CSP that allows no script and no outside resource', async () => {
    const res = await built.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).not.toMatch(/<script|<link|src=/i);
    for (const [path, item] of Object.entries(raw.paths)) for (const method of Object.keys(item)) expect(html).toContain(`<span class="method">${method.toUpperCase()}</span> <code>${path}</code>`);
    expect(html).toContain('id="schema-ChatResult"');
  });
});
