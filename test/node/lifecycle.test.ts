/**
 * The server process's lifecycle, as a process manager sees it: SIGTERM to the `npm start` process
 * itself (npm is all a container runtime or systemd knows of) stops the server and frees the port
 * within SHUTDOWN_GRACE_MS; a signal during start-up or during the warm-up stops it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, makeDirs, type TestDirs } from '../helpers/app.js';
import { FakeOpenAI, freePort } from '../helpers/fake-openai.js';

let dirs: TestDirs;
let fake: FakeOpenAI;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dirs = await makeDirs('lifecycle');
  fake = await new FakeOpenAI().start();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await fake?.close();
  await dirs?.cleanup();
});

const TINY = 'test/fixtures/tiny-corpus.jsonl';
const QUESTION = `What does "${(JSON.parse(readFileSync(TINY, 'utf8').split('\n')[0]!) as { title: string }).title}" propose?`;

interface Spawned {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnServer(command: string, args: string[], env: Record<string, string | undefined>, port: number): Spawned {
  const child = spawn(command, args, { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      r({ code, signal });
    }),
  );
  return { child, port, output: () => output, exited };
}

const until = async (what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 5) => {
  const t0 = performance.now();
  while (!(await ok())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
};
const healthOk = (port: number) => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
/** True when nothing listens on the port (a server can bind it). */
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = net.createServer().once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

describe('SIGTERM to the npm start process', () => {
  it('stops the server: the port is free within SHUTDOWN_GRACE_MS, an answer still streaming included', async () => {
    const grace = 2000;
    const port = await freePort();
    const env = { ...baseEnv(dirs), CORPUS_PATH: TINY, SHUTDOWN_GRACE_MS: String(grace), OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'k', OPENAI_MODEL: 'fake', LLM_TIMEOUT_MS: '20000', LLM_DEADLINE_MS: '60000' };
    const npm = spawnServer('npm', ['start', '--silent'], env, port);
    await until('serving on', () => /serving on/.test(npm.output()), 60_000, 20);
    fake.script({ answer: { kind: 'endless', chunk: 'still writing [1] ', everyMs: 100 } });
    const ctrl = new AbortController();
    const streaming = fetch(`http://127.0.0.1:${port}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: QUESTION }], stream: true }), signal: ctrl.signal })
      .then((r) => r.text())
      .catch(() => '');
    await until('the answer streaming', () => fake.answerRequests().length > 0, 10_000, 20);
    const t0 = performance.now();
    npm.child.kill('SIGTERM'); // npm's own pid, as systemd or a container runtime signals it
    await until('the port to be free', () => portFree(port), grace + 3000, 20);
    const freedAfter = performance.now() - t0;
    expect(freedAfter).toBeLessThan(grace + 500);
    expect(await healthOk(port)).toBe(false);
    const streamed = await streaming;
    expect(streamed).toMatch(/event: error[\s\S]*shutting_down/);
    expect(await npm.exited).toEqual({ code: 0, signal: null });
    ctrl.abort();
  }, 90_000);
});

describe('a signal while the server starts', () => {
  it('during the warm-up (after /health answers, before "serving on"): drains and exits 0', async () => {
    const server = spawnServer(process.execPath, ['dist/main.js'], { ...baseEnv(dirs), CORPUS_PATH: TINY }, await freePort());
    await until('/health', () => healthOk(server.port));
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).toMatch(/SIGTERM: finishing the answers in flight/);
    expect(server.output()).not.toMatch(/serving on/);
  }, 60_000);

  it('before the port opens (while it builds its index): exits 0 at once, saying so', async () => {
    // A fresh index folder: the 224 papers take over a second to index, so the signal comes well
    // after the process started and well before the port opens.
    const fresh = await makeDirs('lifecycle-fresh');
    try {
      const port = await freePort();
      const server = spawnServer(process.execPath, ['dist/main.js'], { ...baseEnv(fresh), CORPUS_PATH: 'data/papers.txt' }, port);
      await new Promise((r) => setTimeout(r, 500));
      expect(await portFree(port)).toBe(true);
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.output()).toMatch(/SIGTERM during start-up/);
      expect(await portFree(port)).toBe(true);
    } finally {
      await fresh.cleanup();
    }
  }, 60_000);
});
