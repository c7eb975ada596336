/**
 * What a public endpoint answers to requests it should not serve: wrong methods get 405 with
 * `Allow`; a page whose DNS name was rebound to the loopback server is cross-origin (refused);
 * an allowed origin must be written with its scheme.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config.js';
import { allowedHosts, buildApp } from '../../src/node.js';
import { baseEnv, logSink, makeDirs, type TestDirs } from '../helpers/app.js';

let dirs: TestDirs;
let app: Awaited<ReturnType<typeof buildApp>>['app'];

beforeAll(async () => {
  dirs = await makeDirs('hardening');
  ({ app } = await buildApp(loadConfig({ ...baseEnv(dirs), CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl' }), logSink().log));
});
afterAll(async () => {
  await dirs?.cleanup();
});

const req = (path: string, init: RequestInit & { host?: string } = {}) => {
  const headers = new Headers(init.headers);
  return app.request(`http://${init.host ?? '127.0.0.1:8787'}${path}`, { ...init, headers });
};

describe('405 for a known path with the wrong method', () => {
  it.each([
    ['GET', '/api/chat', 'POST, OPTIONS'],
    ['PUT', '/api/search', 'POST, OPTIONS'],
    ['POST', '/health', 'GET, HEAD'],
    ['DELETE', '/api/papers/x', 'GET, HEAD, OPTIONS'],
    ['POST', '/widget.js', 'GET, HEAD'],
  ])('%s %s -> 405, Allow: %s', async (method, path, allow) => {
    const res = await req(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('method_not_allowed');
    expect(body.error.message).toContain(allow);
  });

  it('still answers 404 for an unknown path', async () => {
    expect((await req('/api/nothing', { method: 'POST' })).status).toBe(404);
  });
});

describe('DNS rebinding: the Host header does not make a request same-origin', () => {
  const chat = (host: string, origin: string) =>
    req('/api/search', { method: 'POST', host, headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'graphs' }) });

  it('refuses a page on a rebound name (Host and Origin both evil.example)', async () => {
    const res = await chat('evil.example:8787', 'http://evil.example:8787');
    expect(res.status).toBe(403);
  });

  it.each(['/', '/health', '/widget.js', '/api/papers/x'])('refuses GET %s addressed to a rebound name (no Origin: browsers send none on same-origin GETs)', async (path) => {
    const res = await req(path, { host: 'evil.example:8787' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toEqual({ code: 'host_not_allowed', message: expect.stringMatching(/ALLOWED_HOSTS/) });
    expect((await req(path, { host: 'localhost:8787' })).status).not.toBe(403);
  });

  it('checks the names of ALLOWED_HOSTS on every route, any port, any case', async () => {
    const { app: hosted } = await buildApp(loadConfig({ ...baseEnv(dirs), CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl', HOST: '0.0.0.0', ALLOWED_HOSTS: 'papers.example.org' }), logSink().log);
    expect((await hosted.request('http://Papers.Example.org:8443/health')).status).toBe(200);
    expect((await hosted.request('http://127.0.0.1:8787/health')).status).toBe(403);
    expect((await hosted.request('http://other.example/')).status).toBe(403);
  });

  it('serves the page on the server’s own loopback names', async () => {
    expect((await chat('127.0.0.1:8787', 'http://127.0.0.1:8787')).status).toBe(200);
    expect((await chat('localhost:8787', 'http://localhost:8787')).status).toBe(200);
  });

  it.each([
    [{ HOST: '127.0.0.1', ALLOWED_HOSTS: [] }, ['localhost', '127.0.0.1', '[::1]', '127.0.0.1']],
    [{ HOST: '0.0.0.0', ALLOWED_HOSTS: [] }, []],
    [{ HOST: '0.0.0.0', ALLOWED_HOSTS: ['papers.example.org'] }, ['papers.example.org']],
  ])('allowedHosts(%j) = %j', (config, expected) => {
    expect(allowedHosts(config)).toEqual(expected);
  });
});

describe('ALLOWED_ORIGINS', () => {
  it('refuses an entry without a scheme, naming the variable', () => {
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'blog.example.org' })).toThrow(ConfigError);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'blog.example.org' })).toThrow(/ALLOWED_ORIGINS.*scheme/s);
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://blog.example.org, *' }).ALLOWED_ORIGINS).toEqual(['https://blog.example.org', '*']);
  });
});

describe('the page and the widget', () => {
  it('the page allows only its own inline script (by hash), not inline scripts in general', async () => {
    const res = await req('/');
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = /script-src ([^;]+)/.exec(csp)![1]!;
    expect(scriptSrc).not.toContain('unsafe-inline');
    const html = await res.text();
    const inline = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(inline))).toString('base64');
    expect(scriptSrc).toBe(`'sha256-${digest}'`);
  });

  it('serves the widget compressed, with an ETag that turns a revisit into a 304', async () => {
    const res = await req('/widget.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const tag = res.headers.get('etag');
    expect(tag).toBeTruthy();
    const again = await req('/widget.js', { headers: { 'accept-encoding': 'gzip', 'if-none-match': tag! } });
    expect(again.status).toBe(304);
  });
});

describe('request log', () => {
  it('writes one JSON line per request (id, method, path, status, duration) and returns the id; no bodies', async () => {
    const sink = logSink();
    const { app: logged } = await buildApp(loadConfig({ ...baseEnv(dirs), CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl' }), sink.log);
    const res = await logged.request('http://127.0.0.1:8787/api/search', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'test-request-0001' }, body: JSON.stringify({ query: 'secret question text' }) });
    expect(res.headers.get('x-request-id')).toBe('test-request-0001');
    const line = sink.lines.find((l) => l.startsWith('request '))!;
    const entry = JSON.parse(line.slice('request '.length)) as Record<string, unknown>;
    expect(entry).toMatchObject({ id: 'test-request-0001', method: 'POST', path: '/api/search', status: 200 });
    expect(typeof entry.ms).toBe('number');
    expect(line).not.toContain('secret question text');
  });
});

describe('start-up errors a user can act on', () => {
  it('a missing PROMPTS_DIR (with an LLM configured) is a configuration error naming it, not a crash', async () => {
    const run = buildApp(loadConfig({ ...baseEnv(dirs), CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl', PROMPTS_DIR: '/nonexistent-prompts', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }), () => {});
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(/PROMPTS_DIR.*nonexistent-prompts/);
  });
});

describe('content types', () => {
  it.each(['text/plain; x=+json', 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonp'])('%j is refused with 415 (only JSON is JSON)', async (ct) => {
    const res = await req('/api/search', { method: 'POST', headers: { 'content-type': ct }, body: JSON.stringify({ query: 'graphs' }) });
    expect(res.status).toBe(415);
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'application/vnd.api+json'])('%j is read as JSON', async (ct) => {
    const res = await req('/api/search', { method: 'POST', headers: { 'content-type': ct }, body: JSON.stringify({ query: 'graphs' }) });
    expect(res.status).toBe(200);
  });
});
