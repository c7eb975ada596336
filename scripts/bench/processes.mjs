/**
 * Child processes of the benchmark: the package's own commands run with this node, the server
 * started and stopped, all of them tracked so the end of the run (and Ctrl-C) stops every one and
 * removes the temporary folders.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { round, sleep } from './common.mjs';
import { REPO } from './options.mjs';

export const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

/** The arguments of a package.json script that is a plain `node ...` command (or `exec node ...`), run with this node. */
export function nodeScriptArgs(name) {
  const script = pkg.scripts?.[name];
  const parts = typeof script === 'string' ? script.trim().replace(/^exec\s+/, '').split(/\s+/) : [];
  if (parts[0] !== 'node' || parts.some((p) => /[&|;<>$`'"\\]/.test(p))) {
    throw new Error(`package.json script "${name}" is not a plain "node ..." command (${script}): the bench spawns node itself, to measure the server's own process`);
  }
  return parts.slice(1);
}
export const START_ARGS = nodeScriptArgs('start');
export const INGEST_ARGS = nodeScriptArgs('ingest');

const children = new Set();
const tempDirs = new Set();

/** Removed at the end of the run, or on Ctrl-C. */
export const removeAtExit = (dir) => tempDirs.add(dir);

/** Keeps the last `max` characters of a stream's text. */
export function tail(max = 64_000) {
  let text = '';
  return {
    push(chunk) {
      text += chunk;
      if (text.length > max * 2) text = text.slice(-max);
    },
    get text() {
      return text.slice(-max);
    },
  };
}

/** Spawns a tracked child process in the repository (stdout and stderr piped). */
export function spawnTracked(command, args, options) {
  const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * Runs `node ARGS` in the repository with `env`; resolves with its output tails, exit code and wall
 * clock. Lines of stdout go to `onLine`. Killed (SIGKILL) after `timeoutMs`.
 */
export function runNode(args, { env, timeoutMs, onLine } = {}) {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawnTracked(process.execPath, args, { env });
    const out = tail();
    const err = tail();
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out.push(chunk);
      if (!onLine) return;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop();
      for (const line of lines) onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => err.push(chunk));
    let timedOut = false;
    const timer = timeoutMs ? setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), timeoutMs) : null;
    child.once('error', (e) => {
      clearTimeout(timer);
      children.delete(child);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (onLine && partial) onLine(partial);
      resolveRun({ code, signal, timedOut, ms: performance.now() - t0, stdout: out.text, stderr: err.text });
    });
  });
}

/** Runs the shell command of package.json script `name` (the untimed "prestart" build); resolves with its wall clock. */
export function runShell(name, command) {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawnTracked('sh', ['-c', command], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    const err = tail();
    child.stderr.setEncoding('utf8').on('data', (c) => err.push(c));
    child.once('error', reject);
    child.once('close', (code) => {
      children.delete(child);
      if (code === 0) resolveRun({ ms: Math.round(performance.now() - t0) });
      else reject(new Error(`${name} (${command}) exited with ${code}: ${err.text.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** The environment every child gets: no LLM, no rate limit, no request log, no downloads. */
export function appEnv(overrides) {
  const env = { ...process.env };
  for (const k of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'CORPUS_PATH', 'INDEX_DIR', 'PORT', 'HOST', 'EMBEDDING_MODEL', 'MODELS_DIR', 'ALLOWED_HOSTS']) delete env[k];
  return { ...env, RATE_LIMIT_PER_MINUTE: '0', REQUEST_LOG: 'false', ALLOW_REMOTE_MODELS: 'false', ...overrides };
}

/** A free loopback port. */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

/** Resident set size of a process, from /proc (Linux), in MiB; null elsewhere. */
export function rssMb(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? round(kb / 1024) : null;
  } catch {
    return null;
  }
}

/** SIGTERM (the server drains and exits), SIGKILL after 15 s. */
export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const killed = await Promise.race([gone.then(() => false), sleep(15_000).then(() => true)]);
  if (killed) {
    child.kill('SIGKILL');
    await gone;
  }
}

/** Stops every child still running and removes the temporary folders. */
export async function cleanUp() {
  await Promise.all([...children].map((c) => stopChild(c).catch(() => {})));
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true }).catch(() => {});
}

/** On Ctrl-C: `onInterrupt` (which should record and clean up); at exit, whatever is left is killed and removed. */
export function installCleanup(onInterrupt) {
  process.once('SIGINT', onInterrupt);
  process.on('exit', () => {
    for (const c of children) c.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}
