import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/platform/node/index-files.js';
import { startServer, type RunningServer } from '../../src/node.js';

let tmp: string;
let indexDir: string;
let modelsDir: string;
const servers: RunningServer[] = [];
let main: RunningServer;

/** An extractive, lexical-only server on a free port, sharing one index folder. */
function env(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    CORPUS_PATH: path.resolve('data/papers.txt'),
    INDEX_DIR: indexDir,
    MODELS_DIR: modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    OPENAI_API_KEY: '',
    OPENAI_BASE_URL: '',
    ALLOWED_ORIGINS: '',
    RATE_LIMIT_PER_MINUTE: '0',
    ...extra,
  };
}

async function start(extra: Record<string, string> = {}): Promise<RunningServer> {
  const server = await startServer(env(extra), () => {});
  servers.push(server);
  return server;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'api-test-'));
  indexDir = path.join(tmp, 'index');
  modelsDir = path.join(tmp, 'models-empty');
  main = await start();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface Reply<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

async function call<T = any>(server: RunningServer, route: string, init: RequestInit = {}): Promise<Reply<T>> {
  const res = await fetch(server.url + route, init);
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: body stays undefined */
  }
  return { status: res.status, headers: res.headers, text, body: body as T };
}

const postJson = <T = any>(route: string, payload: unknown, server = main, headers: Record<string, string> = {}) =>
  call<T>(server, route, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });

interface SearchResult {
  id: string;
  title: string;
  score: number;
  snippet?: string;
}
const search = (query: unknown, k?: unknown) => postJson<{ results: SearchResult[] }>('/api/search', k === undefined ? { query } : { query, k });

/** A JSON error with the contract's shape, and nothing that leaks internals. */
function expectError(reply: Reply, status: number, code?: string, ...mentions: (string | RegExp)[]) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/application\/json/);
  expect(Object.keys(reply.body)).toEqual(['error']);
  expect(typeof reply.body.error.code).toBe('string');
  expect(typeof reply.body.error.message).toBe('string');
  expect(reply.body.error.message.length).toBeGreaterThan(0);
  if (code) expect(reply.body.error.code).toBe(code);
  for (const m of mentions) expect(reply.body.error.message).toMatch(m);
  expect(reply.text).not.toMatch(/\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+|node_modules|file:\/\//);
  expect(reply.text).not.toContain(process.cwd());
}

describe('GET /health', () => {
  it('reports papers, lexical-only retrieval and extractive answers', async () => {
    const r = await call(main, '/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', papers: 224, dense: false, embedder: 'none', llm: 'extractive' });
    expect(typeof r.body.denseUnavailable).toBe('string');
    expect(r.body.denseUnavailable).toContain(modelsDir);
  });
});

describe('POST /api/search', () => {
  it('returns at most k results with id, title, score and snippet, best first', async () => {
    const r = await search('bayesian optimization of hyperparameters', 5);
    expect(r.status).toBe(200);
    expect(r.body.results.length).toBeGreaterThan(0);
    expect(r.body.results.length).toBeLessThanOrEqual(5);
    for (const hit of r.body.results) {
      expect(Object.keys(hit).sort()).toEqual(['id', 'score', 'snippet', 'title']);
      expect(typeof hit.id).toBe('string');
      expect(typeof hit.title).toBe('string');
      expect(typeof hit.score).toBe('number');
      expect(typeof hit.snippet).toBe('string');
    }
    const scores = r.body.results.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(r.body.results.map((h) => h.id)).size).toBe(r.body.results.length);
  });

  it('defaults k to 10 and honours k = 1 and k = 50', async () => {
    expect((await search('deep learning')).body.results).toHaveLength(10);
    expect((await search('deep learning', 1)).body.results).toHaveLength(1);
    const fifty = (await search('deep learning', 50)).body.results;
    expect(fifty).toHaveLength(50);
    expect((await search('deep learning', 1)).body.results[0]).toEqual(fifty[0]);
  });

  it('finds a paper first from a few distinctive words of its title', async () => {
    const cases: [string, RegExp][] = [
      ['disentangled multi-fidelity', /^Disentangled Multi-Fidelity Deep Bayesian Active Learning$/],
      ['freeze-thaw in-context', /Freeze-Thaw/],
      ['self-tuning bilevel best-response', /^Self-Tuning Networks/],
      ['mutation all you need', /^Mutation is all you need$/],
    ];
    for (const [query, title] of cases) {
      const top = (await search(query, 3)).body.results[0];
      expect(top?.title, query).toMatch(title);
    }
  });

  it('finds a paper first from its exact title', async () => {
    const titles = (await search('learning', 50)).body.results.slice(0, 12);
    for (const { id, title } of titles) {
      if (title === 'Progressive Neural Architecture Search') continue; // a word-for-word prefix of another title
      expect((await search(title, 1)).body.results[0]?.id, title).toBe(id);
    }
  });

  it('snippets are text from the paper, preferring the sentence with the query words', async () => {
    const r = await search('partial differential equations heat equation', 3);
    const top = r.body.results[0]!;
    const paper = (await call(main, `/api/papers/${top.id}`)).body;
    expect(paper.abstract).toContain(top.snippet!.replace(/…$/, ''));
    expect(top.snippet!.toLowerCase()).toMatch(/equation/);
  });

  it('returns no results for a query of stop words only', async () => {
    const r = await search('the of and which paper');
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([]);
  });

  it.each([
    ['k = 0', { query: 'graphs', k: 0 }, 'k'],
    ['k = 51', { query: 'graphs', k: 51 }, 'k'],
    ['k as a string', { query: 'graphs', k: '5' }, 'k'],
    ['k not an integer', { query: 'graphs', k: 2.5 }, 'k'],
    ['missing query', { k: 5 }, 'query'],
    ['empty query', { query: '' }, 'query'],
    ['blank query', { query: '   ' }, 'query'],
    ['query not a string', { query: 42 }, 'query'],
    ['query too long', { query: 'a '.repeat(1500) }, 'query'],
  ])('rejects %s with a 400 naming the field', async (_name, payload, field) => {
    expectError(await postJson('/api/search', payload), 400, undefined, new RegExp(`\\b${field}\\b`));
  });

  it('rejects a body that is not an object', async () => {
    expectError(await postJson('/api/search', ['graphs']), 400);
    expectError(await postJson('/api/search', null), 400);
  });

  it('rejects invalid JSON with a 400', async () => {
    const r = await call(main, '/api/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "graphs",' });
    expectError(r, 400, 'invalid_json', /JSON/);
  });

  it('rejects a body that is not sent as JSON with a 415', async () => {
    const plain = await call(main, '/api/search', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: 'graphs' }) });
    expectError(plain, 415, undefined, /Content-Type: application\/json/);
    const form = await call(main, '/api/search', { method: 'POST', body: new URLSearchParams({ query: 'graphs' }) });
    expectError(form, 415);
  });
});

describe('GET /api/papers/:id', () => {
  it('returns the paper behind a search result', async () => {
    const hit = (await search('disentangled multi-fidelity', 1)).body.results[0]!;
    const r = await call(main, `/api/papers/${encodeURIComponent(hit.id)}`);
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(hit.id);
    expect(r.body.title).toBe(hit.title);
    expect(r.body.abstract).toMatch(/^To balance quality and cost/);
    expect(r.body.abstract.length).toBeGreaterThan(hit.title.length);
  });

  it('answers 404 JSON for an unknown id', async () => {
    expectError(await call(main, '/api/papers/no-such-paper-000000'), 404, undefined, /no-such-paper-000000/);
    expectError(await call(main, `/api/papers/${encodeURIComponent('..%2F..%2Fetc')}`), 404);
  });
});

describe('unknown routes', () => {
  it('answer 404 JSON', async () => {
    expectError(await call(main, '/api/nothing-here'), 404);
    expectError(await call(main, '/definitely/not/a/page'), 404);
    expectError(await call(main, '/api/search'), 405); // GET on a POST route: 405 with Allow (test/server/http-hardening.test.ts)
  });
});

describe('request size', () => {
  it('refuses a body over the limit with 413 JSON, before parsing it', async () => {
    const huge = 'x'.repeat(600 * 1024);
    const res = await fetch(`${main.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: huge }) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
  });
});

describe('origin guard', () => {
  it('refuses a cross-origin browser request by default', async () => {
    const r = await postJson('/api/search', { query: 'graphs' }, main, { origin: 'http://evil.example' });
    expectError(r, 403, 'origin_not_allowed', /evil\.example/, /ALLOWED_ORIGINS/);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets same-origin requests and requests without an Origin through', async () => {
    expect((await postJson('/api/search', { query: 'graphs' }, main, { origin: main.url })).status).toBe(200);
    expect((await postJson('/api/search', { query: 'graphs' })).status).toBe(200);
  });

  describe('with ALLOWED_ORIGINS', () => {
    let guarded: RunningServer;
    beforeAll(async () => {
      guarded = await start({ ALLOWED_ORIGINS: 'http://good.example, https://other.example/' });
    });

    it('answers an allowed origin with CORS headers', async () => {
      const r = await postJson('/api/search', { query: 'graphs', k: 2 }, guarded, { origin: 'http://good.example' });
      expect(r.status).toBe(200);
      expect(r.headers.get('access-control-allow-origin')).toBe('http://good.example');
      expect(r.body.results).toHaveLength(2);
      const other = await postJson('/api/search', { query: 'graphs', k: 2 }, guarded, { origin: 'https://other.example' });
      expect(other.status).toBe(200);
      expect(other.headers.get('access-control-allow-origin')).toBe('https://other.example');
    });

    it('answers the preflight of an allowed origin', async () => {
      const r = await call(guarded, '/api/chat', {
        method: 'OPTIONS',
        headers: { origin: 'http://good.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(r.status).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(300);
      expect(r.headers.get('access-control-allow-origin')).toBe('http://good.example');
      expect(r.headers.get('access-control-allow-methods')).toMatch(/POST/);
      expect(r.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/content-type/);
    });

    it('still refuses other origins, and their preflight', async () => {
      expectError(await postJson('/api/search', { query: 'graphs' }, guarded, { origin: 'http://evil.example' }), 403, 'origin_not_allowed');
      const pre = await call(guarded, '/api/search', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
      expect(pre.status).toBe(403);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});

describe('rate limit', () => {
  // Behind one trusted proxy: X-Forwarded-For's last entry is the address the proxy saw.
  const from = (client: string, claimed?: string) => ({ 'x-forwarded-for': claimed ? `${claimed}, ${client}` : client });

  it('limits each client, a chat costing six searches, with 429 JSON and Retry-After; loopback clients are not limited', async () => {
    const limited = await start({ RATE_LIMIT_PER_MINUTE: '12', TRUST_PROXY_HOPS: '1' });
    for (let i = 0; i < 12; i++) expect((await postJson('/api/search', { query: 'graphs' }, limited, from('203.0.113.5'))).status).toBe(200);
    const over = await postJson('/api/search', { query: 'graphs' }, limited, from('203.0.113.5'));
    expectError(over, 429, 'rate_limited', /12/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // Chats: 12 / 6 = 2 a minute.
    const chat = () => postJson('/api/chat', { messages: [{ role: 'user', content: 'What is FT-PFN?' }] }, limited, from('203.0.113.6'));
    expect((await chat()).status).toBe(200);
    expect((await chat()).status).toBe(200);
    expectError(await chat(), 429, 'rate_limited');
    // Another client has its own budget, even when it claims to be the limited one.
    expect((await postJson('/api/search', { query: 'graphs' }, limited, from('198.51.100.9', '203.0.113.5'))).status).toBe(200);
    // Health checks are not counted or refused; a client on this machine (no proxy header) is not limited.
    expect((await call(limited, '/health')).status).toBe(200);
    for (let i = 0; i < 15; i++) expect((await postJson('/api/search', { query: 'graphs' }, limited)).status).toBe(200);
  });

  it('is one budget for chats and searches together: a chat spends six of the minute’s units', async () => {
    const limited = await start({ RATE_LIMIT_PER_MINUTE: '12', TRUST_PROXY_HOPS: '1' });
    const client = from('203.0.113.7');
    expect((await postJson('/api/chat', { messages: [{ role: 'user', content: 'What is FT-PFN?' }] }, limited, client)).status).toBe(200);
    for (let i = 0; i < 6; i++) expect((await postJson('/api/search', { query: 'graphs' }, limited, client)).status).toBe(200);
    const over = await postJson('/api/search', { query: 'graphs' }, limited, client);
    expectError(over, 429, 'rate_limited', /12 units a minute/);
    // ... and chats find it spent too.
    expectError(await postJson('/api/chat', { messages: [{ role: 'user', content: 'What is FT-PFN?' }] }, limited, client), 429, 'rate_limited');
  });
});

describe('start-up', () => {
  it('starts on an existing index without building it again', async () => {
    // (How fast it starts is a figure for the benchmark, not a bound for this test.)
    const before = await readManifest(indexDir);
    expect(before?.papers).toBe(224);
    const again = await start();
    expect(await readManifest(indexDir)).toEqual(before);
    const health = await call(again, '/health');
    expect(health.body.papers).toBe(224);
  });

  it('rejects an invalid PORT, naming it', async () => {
    await expect(startServer(env({ PORT: 'abc' }), () => {})).rejects.toThrow(/PORT/);
  });

  it('rejects an invalid RATE_LIMIT_PER_MINUTE and ALLOW_REMOTE_MODELS, naming them', async () => {
    const err = await startServer(env({ RATE_LIMIT_PER_MINUTE: '-1', ALLOW_REMOTE_MODELS: 'maybe' }), () => {}).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/RATE_LIMIT_PER_MINUTE/);
    expect(err?.message).toMatch(/ALLOW_REMOTE_MODELS/);
  });

  it('rejects a missing corpus with a message naming the file', async () => {
    const missing = path.join(tmp, 'missing.txt');
    await expect(startServer(env({ CORPUS_PATH: missing, INDEX_DIR: path.join(tmp, 'other-index') }), () => {})).rejects.toThrow(/missing\.txt/);
  });
});
