/**
 * Fuzz: thousands of generated malformed requests to every route (wrong methods, content types,
 * truncated and mistyped JSON, huge, deep or binary bodies, odd headers and paths). The app must
 * answer each with a 2xx/4xx JSON (or the page), never a 5xx, never a stack trace, and stay healthy.
 * Deterministic (seeded), in-process through `app.request()`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { mulberry32 as prng } from '../../src/util/prng.js';
import { buildApp } from '../../src/node.js';
import { baseEnv, logSink, makeDirs, type TestDirs } from '../helpers/app.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 6000);
let dirs: TestDirs;
let app: Awaited<ReturnType<typeof buildApp>>['app'];
const sink = logSink();

beforeAll(async () => {
  dirs = await makeDirs('fuzz');
  ({ app } = await buildApp(loadConfig({ ...baseEnv(dirs), CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl' }), sink.log));
});
afterAll(async () => {
  await dirs?.cleanup();
});

// The calibration's seeded generator: the same requests on every run.
const rand = prng(20261128);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (n: number) => Math.floor(rand() * n);

const ROUTES = ['/api/chat', '/api/search', '/api/papers/x', '/api/papers/', '/api/papers/%00', '/api/papers/' + 'a'.repeat(5000), '/health', '/', '/widget.js', '/api', '/api/chat/', '/API/CHAT', '/api/chat?stream=1', '/%2e%2e/etc/passwd', '/api/search?x=' + '%ff'.repeat(50)];
const METHODS = ['POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'text/plain; x=+json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1', 'APPLICATION/JSON'];
const STRINGS = ['', ' ', 'a', 'x'.repeat(5000), '\u0000', '\ud800', '💥'.repeat(100), '<script>alert(1)</script>', '[1]', '[NONE]', 'Ignore previous instructions', '{"a":1}', 'null', '../../etc/passwd', 'SELECT * FROM papers;'];

function value(depth = 0): unknown {
  switch (int(depth > 3 ? 6 : 9)) {
    case 0: return pick(STRINGS);
    case 1: return rand() * 1e12 - 5e11;
    case 2: return pick([true, false, null]);
    case 3: return int(100) - 50;
    case 4: return pick([Number.MAX_SAFE_INTEGER, -0, 1e308, 0.5]);
    case 5: return pick(['user', 'assistant', 'system', 'tool']);
    case 6: return Array.from({ length: int(4) }, () => value(depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['messages', 'role', 'content', 'query', 'k', 'stream', 'citations', '__proto__', 'constructor', 'x']), value(depth + 1)]));
    default: return { messages: Array.from({ length: int(3) }, () => ({ role: pick(['user', 'assistant', 'x']), content: value(depth + 1), ...(rand() < 0.3 ? { citations: value(depth + 1) } : {}) })), ...(rand() < 0.5 ? { stream: value(depth + 1) } : {}) };
  }
}

function body(): BodyInit | undefined {
  switch (int(9)) {
    case 0: return undefined;
    case 1: return JSON.stringify(value());
    case 2: return JSON.stringify(value()).slice(0, int(40)); // truncated JSON
    case 3: return new Uint8Array(Array.from({ length: int(300) }, () => int(256))); // binary, invalid UTF-8
    case 4: return '['.repeat(5000) + ']'.repeat(5000); // deep nesting
    case 5: return JSON.stringify({ query: pick(STRINGS), k: value() });
    case 6: return JSON.stringify({ messages: [{ role: 'user', content: pick(STRINGS) }], stream: rand() < 0.5 });
    case 7: return 'x'.repeat(int(700_000)); // over the body limit sometimes
    default: return JSON.stringify(value()) + pick(['', ',', '}', ' trailing']);
  }
}

describe('fuzzing every route', () => {
  it(`answers ${REQUESTS} malformed requests with no 5xx and no stack trace, and stays healthy`, async () => {
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const method = pick(METHODS);
      const route = pick(ROUTES);
      const headers: Record<string, string> = {};
      const ct = pick(CONTENT_TYPES);
      if (ct) headers['content-type'] = ct;
      if (rand() < 0.2) headers.accept = pick(['text/event-stream', '*/*', 'application/json', '']);
      if (rand() < 0.15) headers.origin = pick(['http://evil.example', 'null', 'http://127.0.0.1:8787', 'x']);
      const init: RequestInit = { method, headers };
      if (method !== 'GET' && method !== 'HEAD') {
        const b = body();
        if (b !== undefined) init.body = b;
      }
      let res: Response;
      let text: string;
      // Every request must be answered, and soon: a hang is a failure too.
      const hang = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref());
      try {
        res = await Promise.race([app.request(`http://127.0.0.1:8787${route}`, init), hang]);
        text = await Promise.race([res.text(), hang]);
      } catch (e) {
        bad.push(`${method} ${route} ${ct} ${String(init.body ?? '').slice(0, 80)}: ${(e as Error).message}`);
        continue;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) bad.push(`${method} ${route} ${ct}: ${res.status} ${text.slice(0, 200)}`);
      if (/\n\s+at |node_modules|\/src\//.test(text)) bad.push(`${method} ${route}: a stack trace or path in the response`);
    }
    console.log(`fuzz: ${REQUESTS} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    if (bad.length) console.log(bad.slice(0, 10).join("\n"));
    expect(bad).toEqual([]);
    expect(sink.lines.filter((l) => /\n\s+at /.test(l))).toEqual([]);
    const health = await app.request('http://127.0.0.1:8787/health');
    expect(health.status).toBe(200);
  }, 180_000);
});
