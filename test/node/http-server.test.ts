/**
 * The Node HTTP layer on a real server: a keep-alive client (Node's fetch, undici) never loses a
 * request after a body the server did not read; the header and body timeouts are enforced as
 * configured; every request, the adapter's own refusals included, is answered in the JSON error
 * format and has a request-log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/node.js';
import { baseEnv, logSink, makeDirs, start, type LogSink, type TestDirs } from '../helpers/app.js';
import { portOf, rawExchange, statuses } from '../helpers/raw-http.js';

let dirs: TestDirs;
let server: RunningServer;
let sink: LogSink;

beforeAll(async () => {
  dirs = await makeDirs('http-server');
  sink = logSink();
  server = await start({ ...baseEnv(dirs), CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl', HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000' }, sink);
});
afterAll(async () => {
  await server?.close();
  await dirs?.cleanup();
});

const requestLines = () => sink.lines.filter((l) => l.startsWith('request ')).map((l) => JSON.parse(l.slice('request '.length)) as { method: string; path: string; status: number });

describe('keep-alive after a body the server did not read (Node fetch)', () => {
  // Each is answered before its body is read: 404, 405, 413 (over 512 KB), 415, 400.
  const MALFORMED: [method: string, path: string, contentType?: string][] = [
    ['POST', '/api/nothing'],
    ['PUT', '/api/search'],
    ['DELETE', '/api/papers/x'],
    ['PATCH', '/api/chat'],
    ['POST', '/health'],
    ['POST', '/api/search', 'text/plain'],
    ['POST', '/api/search', 'application/json'],
    ['POST', '/api/chat', 'application/json'],
  ];
  const SIZES = [190_000, 256 * 1024, 512 * 1024 + 1, 1024 * 1024, 5 * 1024 * 1024];

  it('answers every request of the follow-up matrix (bodies of 190 KB to 5 MB, each followed by a normal request): none lost', async () => {
    const lost: string[] = [];
    const followUps: number[] = [];
    const malformed: number[] = [];
    for (const size of SIZES) {
      for (const [method, path, type] of MALFORMED) {
        const body = type === 'application/json' ? JSON.stringify({ query: 'x'.repeat(size), messages: [] }) : 'x'.repeat(size);
        try {
          const res = await fetch(server.url + path, { method, body, headers: type ? { 'content-type': type } : {} });
          await res.arrayBuffer();
          malformed.push(res.status);
        } catch (e) {
          lost.push(`${method} ${path} ${size}: ${(e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message}`);
        }
        try {
          const res = await fetch(`${server.url}/health`);
          await res.arrayBuffer();
          followUps.push(res.status);
        } catch (e) {
          lost.push(`GET /health after ${method} ${path} ${size}: ${(e as Error).message}`);
        }
      }
    }
    expect(lost).toEqual([]);
    expect(followUps.every((s) => s === 200)).toBe(true);
    expect(malformed.every((s) => s >= 400 && s < 500)).toBe(true);
    expect(malformed.filter((s) => s === 413).length).toBeGreaterThan(0);
  }, 60_000);

  it('answers a request sent right behind an unread body on the same connection', async () => {
    const body = 'x'.repeat(300_000);
    const host = `Host: 127.0.0.1:${portOf(server.url)}`;
    const { text } = await rawExchange(
      portOf(server.url),
      `PUT /api/search HTTP/1.1\r\n${host}\r\nContent-Length: ${body.length}\r\n\r\n${body}` + `GET /health HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`,
    );
    expect(statuses(text)).toEqual([405, 200]);
  });
});

describe('timeouts as configured (HEADERS_TIMEOUT_MS=1000, REQUEST_TIMEOUT_MS=2000), enforced', () => {
  it('a client that does not finish its headers gets 408 and is dropped soon after the headers timeout', async () => {
    const { text, closedAfterMs } = await rawExchange(portOf(server.url), `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n`, 6000);
    expect(statuses(text)).toEqual([408]);
    expect(closedAfterMs).toBeGreaterThan(900);
    expect(closedAfterMs).toBeLessThan(3500); // the deadline plus the 1 s check interval, with slack
  });

  it('a client that does not finish its body gets 408 and is dropped soon after the request timeout', async () => {
    const { text, closedAfterMs } = await rawExchange(
      portOf(server.url),
      `POST /api/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":`,
      8000,
    );
    expect(statuses(text)).toEqual([408]);
    expect(closedAfterMs).toBeGreaterThan(1900);
    expect(closedAfterMs).toBeLessThan(4500);
  });
});

describe('every request is answered by the app’s rules and logged', () => {
  it('an upper-case Host with a port is served (and logged), not refused by the adapter', async () => {
    const { text } = await rawExchange(portOf(server.url), `GET /health HTTP/1.1\r\nHost: LOCALHOST:${portOf(server.url)}\r\nX-Request-Id: upper-case-host-1\r\nConnection: close\r\n\r\n`);
    expect(statuses(text)).toEqual([200]);
    expect(sink.lines.some((l) => l.includes('"id":"upper-case-host-1"') && l.includes('"status":200'))).toBe(true);
  });

  it('a request whose Host is not a host name gets a JSON 400 and a request-log line', async () => {
    const { text } = await rawExchange(portOf(server.url), `GET /health HTTP/1.1\r\nHost: not a host\r\nX-Request-Id: bad-host-0001\r\nConnection: close\r\n\r\n`);
    expect(statuses(text)).toEqual([400]);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'bad_host', message: expect.stringMatching(/Host/) } });
    expect(requestLines().some((l) => l.status === 400 && l.path === '/health')).toBe(true);
    expect(sink.lines.some((l) => l.includes('"id":"bad-host-0001"'))).toBe(true);
  });

  it('a request Node cannot parse gets a JSON 400 and a request-log line', async () => {
    const before = requestLines().length;
    const { text } = await rawExchange(portOf(server.url), `GET /health HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n`);
    expect(statuses(text)).toEqual([400]);
    expect(text).toMatch(/"code":"bad_request"/);
    expect(requestLines().slice(before).some((l) => l.status === 400)).toBe(true);
  });
});
