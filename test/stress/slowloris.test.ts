/**
 * Slow clients (`npm run test:stress`): 2,100 connections from one address, each sending the start
 * of a request and then a header line every few seconds, never finishing (more than the 2,048
 * connections the server holds in all), reconnecting when dropped. Meanwhile a normal client on
 * the same address must get its `/health` and a search answered within a second, each time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, makeDirs, type TestDirs } from '../helpers/app.js';
import { freePort } from '../helpers/fake-openai.js';

const SLOW_CLIENTS = 2_100;
/** A slow client sends one more header line this often, so no idle timeout finds it. */
const TRICKLE_MS = 2_000;
/** A dropped slow client reconnects at its next trickle, as slowloris tools do: the attack goes on. */
const RECONNECT_MS = TRICKLE_MS;
let dirs: TestDirs;
let server: ChildProcess;
let port: number;
let stderr = '';

beforeAll(async () => {
  dirs = await makeDirs('slowloris');
  port = await freePort();
  server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...baseEnv(dirs), PORT: String(port), REQUEST_LOG: 'false', CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', (d: Buffer) => /serving on/.test(d.toString()) && resolve());
    server.once('exit', (code) => reject(new Error(`the server exited (${code}): ${stderr}`)));
  });
}, 120_000);
afterAll(async () => {
  server?.kill('SIGTERM');
  await dirs?.cleanup();
});

/** One slow client: connects, sends half a request, trickles header lines, reconnects when dropped. */
function slowClient(state: { stopped: boolean; open: number; drops: number }) {
  const connect = () => {
    if (state.stopped) return;
    const socket = net.connect(port, '127.0.0.1');
    let timer: NodeJS.Timeout | undefined;
    let counted = false;
    socket.on('connect', () => {
      state.open++;
      counted = true;
      socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
      timer = setInterval(() => socket.write(`X-Slow-${Math.random().toString(36).slice(2, 8)}: 1\r\n`), TRICKLE_MS);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      if (counted) state.open--;
      state.drops++;
      if (!state.stopped) setTimeout(connect, RECONNECT_MS);
    });
    return socket;
  };
  connect();
}

/** A normal client's request on a new connection (no keep-alive reuse), timed. */
async function timed(path: string, init: RequestInit = {}): Promise<{ status: number | string; ms: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { ...init.headers, connection: 'close' }, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t0 };
  } catch (e) {
    return { status: (e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).name, ms: performance.now() - t0 };
  }
}

describe('slow clients', () => {
  it(`${SLOW_CLIENTS} half-sent requests from one address do not keep a normal client on it from being answered within 1 s`, async () => {
    const state = { stopped: false, open: 0, drops: 0 };
    for (let i = 0; i < SLOW_CLIENTS; i++) {
      slowClient(state);
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 1500)); // all connected (or dropped and reconnecting)
    const results: { path: string; status: number | string; ms: number }[] = [];
    for (let round = 0; round < 10; round++) {
      results.push({ path: '/health', ...(await timed('/health')) });
      results.push({ path: '/api/search', ...(await timed('/api/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'graph neural networks', k: 5 }) })) });
      await new Promise((r) => setTimeout(r, 300));
    }
    state.stopped = true;
    const worst = Math.max(...results.map((r) => r.ms));
    console.log(
      `slowloris: ${SLOW_CLIENTS} slow clients, ${state.open} connected at the end, ${state.drops} dropped by the server (and reconnected); ` +
        `normal client: ${results.length} requests, statuses ${JSON.stringify(results.map((r) => r.status))}, worst ${worst.toFixed(0)} ms, ` +
        `median ${results.map((r) => r.ms).sort((a, b) => a - b)[results.length >> 1]!.toFixed(0)} ms`,
    );
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(worst).toBeLessThan(1000);
    expect(state.drops).toBeGreaterThan(0); // the server reaped half-sent connections to make room
  }, 120_000);
});
