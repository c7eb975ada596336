/**
 * Node entry: validates configuration, loads the embedder, ingests when the index is missing or
 * stale, loads the index and serves the Hono app. `startServer()` is what tests and `npm start` use.
 */
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createAnswerer } from './answer/answerer.js';
import type { Paper } from './corpus/schema.js';
import { loadPrompts } from './platform/node/prompts.js';
import { ConfigError, loadConfig, llmConfigured, type Config } from './config.js';
import { loadCorpus } from './corpus/load.js';
import { CorpusError } from './corpus/parse-json.js';
import { currentIndex } from './ingest/ingest.js';
import { describeIssues, ingestWithProgress } from './ingest/report.js';
import { loadIndex, readManifest, type LoadedIndex, ForeignFolderError } from './platform/node/index-files.js';
import { llmFromConfig } from './answer/llm-client.js';
import { loadSpelling } from './platform/node/spelling.js';
import { HybridRetriever } from './retrieval/retriever.js';
import { TermStats } from './retrieval/term-stats.js';
import { loadEmbedder } from './platform/node/load-embedder.js';
import type { Context } from 'hono';
import type { Server as HttpServer } from 'node:http';
import { createApp, type Lifecycle } from './server/app.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';
import * as assets from './server/web-assets.generated.js';

export interface RunningServer {
  url: string;
  /** Stops at once, cutting open connections (tests). */
  close(): Promise<void>;
  /**
   * Stops gracefully: no new requests (503), answers in flight may finish within `graceMs`
   * (default SHUTDOWN_GRACE_MS), then those still streaming end with an `error` event.
   */
  shutdown(graceMs?: number): Promise<void>;
  config: Config;
}

type Log = (msg: string) => void;

/**
 * The corpus to serve: CORPUS_PATH when it is set, else the corpus the index was last built from
 * (so `npm run ingest -- --corpus FILE` then `npm start` serves FILE), else the default.
 */
export async function corpusToServe(config: Config, env: Record<string, string | undefined>, log: Log): Promise<string> {
  if (env.CORPUS_PATH) return config.CORPUS_PATH;
  const built = (await readManifest(config.INDEX_DIR))?.corpusPath;
  if (built && built !== config.CORPUS_PATH && existsSync(built)) {
    log(`corpus: serving ${built}, which the index was last built from (set CORPUS_PATH to choose another)`);
    return built;
  }
  return config.CORPUS_PATH;
}

/** Everything the app needs, built from the configuration. */
export async function buildApp(config: Config, log: Log, lifecycle?: Lifecycle) {
  const embedding = await loadEmbedder({
    model: config.EMBEDDING_MODEL,
    modelsDir: config.MODELS_DIR,
    allowRemote: config.ALLOW_REMOTE_MODELS,
    timeoutMs: config.EMBEDDING_LOAD_TIMEOUT_MS,
  });
  if (embedding.error) log(`warning: ${embedding.error}`);

  // An index built from these very corpus bytes is loaded without parsing the corpus again.
  const current = await currentIndex(config.INDEX_DIR, config.CORPUS_PATH, embedding.embedder?.id ?? null);
  const ingestOptions = async () => ({ corpus: await loadCorpus(config.CORPUS_PATH), corpusPath: config.CORPUS_PATH, indexDir: config.INDEX_DIR, embedding });
  if (!current) {
    const options = await ingestOptions();
    const result = await ingestWithProgress(options, log, false);
    if (result.rebuilt) for (const line of describeIssues(options.corpus.issues)) log(line);
  }
  let index: LoadedIndex;
  try {
    index = await loadIndex(config.INDEX_DIR);
  } catch (e) {
    // A corrupt file (a truncated write, a hand edit): rebuild once rather than refuse to start.
    log(`index: ${config.INDEX_DIR} could not be read (${(e as Error).message}); rebuilding it`);
    await ingestWithProgress({ ...(await ingestOptions()), force: true }, log, false);
    index = await loadIndex(config.INDEX_DIR);
  }
  const retriever = new HybridRetriever({
    papers: index.papers,
    lexical: index.lexical,
    dense: embedding.embedder && index.vectors ? { embedder: embedding.embedder, store: index.vectors } : null,
    spelling: loadSpelling(index.papers),
    denseWeight: index.calibration.denseWeight,
  });

  const llm = llmConfigured(config) ? llmFromConfig(config, await loadPrompts(config.PROMPTS_DIR)) : null;
  const answerer = createAnswerer({
    retriever,
    stats: new TermStats(index.lexical),
    calibration: index.calibration,
    llm,
    log,
    ...(config.ANSWER_SIGNING_KEY ? { signingKey: config.ANSWER_SIGNING_KEY } : {}),
  });
  // Answer records, feedback and coverage gaps in SQLite (DATABASE_PATH), unless both are off.
  const records: SqliteStore | null = config.FEEDBACK || config.GAP_LOG ? await openSqliteStore(config.DATABASE_PATH) : null;
  const app = createApp({
    retriever,
    answerer,
    ...(records ? { records: { store: records.store, answers: config.FEEDBACK, gaps: config.GAP_LOG, weakBelow: config.GAP_WEAK_BELOW } } : {}),
    ...(config.ADMIN_TOKEN ? { adminToken: config.ADMIN_TOKEN } : {}),
    embedder: { id: embedding.embedder?.id ?? 'none', ...(embedding.error ? { unavailable: embedding.error } : {}) },
    assets,
    allowedOrigins: config.ALLOWED_ORIGINS,
    allowedHosts: allowedHosts(config),
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    maxConcurrentChats: config.MAX_CONCURRENT_CHATS,
    chatQueue: config.CHAT_QUEUE,
    clientKey: (c) => clientAddress(getConnInfo(c).remote.address, c.req.header('x-forwarded-for'), config.TRUST_PROXY_HOPS),
    // Loopback clients (local tools, evaluation, the start-up warm-up) are not limited; behind a
    // reverse proxy on this machine set TRUST_PROXY_HOPS, so clients are told apart by X-Forwarded-For.
    exemptFromRateLimit: (c) =>
      c.req.header(WARM_UP_HEADER) === WARM_UP_TOKEN || isLoopback(clientAddress(getConnInfo(c).remote.address, c.req.header('x-forwarded-for'), config.TRUST_PROXY_HOPS)),
    log,
    ...(lifecycle ? { lifecycle } : {}),
    ...(config.REQUEST_LOG ? { requestLog: (line: string) => log(`request ${line}`), unlogged: (c: Context) => c.req.header(WARM_UP_HEADER) === WARM_UP_TOKEN } : {}),
  });
  return { app, retriever, answerer, index, llm, records };
}

/**
 * The client's address for rate limiting: the socket's peer, or with `hops` trusted proxies in
 * front, the address the outermost of them saw (X-Forwarded-For read from the right, so a client
 * cannot pick its own key by sending the header).
 */
export function clientAddress(socket: string | undefined, forwardedFor: string | undefined, hops: number): string {
  if (hops > 0 && forwardedFor) {
    const chain = forwardedFor.split(',').map((a) => a.trim()).filter(Boolean);
    const at = chain.length - hops;
    if (at >= 0) return chain[at]!;
    return chain[0] ?? socket ?? 'unknown';
  }
  return socket ?? 'unknown';
}

/** A loopback address (IPv4, IPv6 or IPv4-mapped). */
export const isLoopback = (address: string) => /^(127\.|::1$|::ffff:127\.)/.test(address);

/** Socket limits of the Node server (one place). */
export const SOCKET_LIMITS = {
  /** A client must send its request headers within this long (slow-header attacks). */
  headersTimeoutMs: 15_000,
  /** ... and its whole request body within this long. Streams of the response are not bounded by it. */
  requestTimeoutMs: 60_000,
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: 5_000,
  /** Open connections at most; more are refused by the kernel's backlog. */
  maxConnections: 2_048,
} as const;

function applySocketLimits(server: HttpServer) {
  server.headersTimeout = SOCKET_LIMITS.headersTimeoutMs;
  server.requestTimeout = SOCKET_LIMITS.requestTimeoutMs;
  server.keepAliveTimeout = SOCKET_LIMITS.keepAliveTimeoutMs;
  server.maxConnections = SOCKET_LIMITS.maxConnections;
}

/** Loopback names, for a server that listens on loopback. */
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The host names requests may address: ALLOWED_HOSTS when set; else the loopback names when the
 * server listens on loopback (nothing else can reach it, except a rebound DNS name); else any.
 */
export function allowedHosts(config: Pick<Config, 'HOST' | 'ALLOWED_HOSTS'>): string[] {
  if (config.ALLOWED_HOSTS.length) return config.ALLOWED_HOSTS;
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i.test(config.HOST);
  return loopback ? [...LOOPBACK, config.HOST.toLowerCase()] : [];
}

/** Marks the start-up warm-up's own requests, which the rate limit must not count. */
const WARM_UP_HEADER = 'x-paper-chat-warm-up';
const WARM_UP_TOKEN = randomUUID();

/**
 * Sends searches and chats to the freshly started server over loopback HTTP, with questions made
 * from the corpus's own sentences, so that the first users do not pay for JIT compilation (the
 * first hundred requests run about twice as slow otherwise). At most about 300 ms at start-up. Chats warm
 * up only without an LLM: they must not spend anyone's tokens.
 */
/** The start-up warm-up: at most this many searches, stopped once the budget is spent, then a few chats. */
const WARM_UP = { searches: 100, budgetMs: 300, chats: 5 } as const;

async function warmUp(url: string, papers: readonly Paper[], withChat: boolean) {
  const post = async (path: string, body: unknown) => {
    const headers = { 'content-type': 'application/json', [WARM_UP_HEADER]: WARM_UP_TOKEN };
    const res = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    await res.arrayBuffer();
  };
  const questions = papers.slice(0, WARM_UP.searches).map((p) => p.abstract.split(/(?<=\.)\s/)[0]!.slice(0, 300));
  const until = performance.now() + WARM_UP.budgetMs;
  for (const query of questions) {
    if (performance.now() > until) break;
    await post('/api/search', { query, k: 10 });
  }
  if (withChat) for (const q of questions.slice(0, WARM_UP.chats)) await post('/api/chat', { messages: [{ role: 'user', content: q }] });
}

/** Builds and starts the server. `env` overrides process.env (tests pass PORT=0 for a free port). */
export async function startServer(env: Record<string, string | undefined> = process.env, log: Log = (m) => console.error(m)): Promise<RunningServer> {
  const loaded = loadConfig(env);
  const config = { ...loaded, CORPUS_PATH: await corpusToServe(loaded, env, log) };
  let draining = false;
  const stop = new AbortController();
  // Every answer in flight listens for the shutdown (and stops listening when it ends): hundreds at
  // once are expected, not a leak.
  setMaxListeners(0, stop.signal);
  const { app, index, llm, records } = await buildApp(config, log, { draining: () => draining, stop: stop.signal });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info: AddressInfo) => {
      const host = info.address.includes(':') ? `[${info.address}]` : info.address;
      const url = `http://${host}:${info.port}`;
      const http = server as unknown as { closeAllConnections(): void; closeIdleConnections(): void };
      const running: RunningServer = {
        url,
        config,
        close: () => new Promise<void>((done) => {
          server.close(() => {
            records?.close();
            done();
          });
          http.closeAllConnections();
        }),
        shutdown: async (graceMs = config.SHUTDOWN_GRACE_MS) => {
          draining = true;
          const closed = new Promise<void>((done) => server.close(() => done()));
          // Idle keep-alive connections go now; busy ones when their answer ends, or at the deadline.
          const idle = setInterval(() => http.closeIdleConnections(), 100);
          http.closeIdleConnections();
          const graceOver = new Promise<'grace'>((r) => setTimeout(() => r('grace'), graceMs).unref());
          if ((await Promise.race([closed.then(() => 'closed' as const), graceOver])) === 'grace') {
            log(`shutdown: answers still running after ${graceMs} ms are ended with an error event`);
            stop.abort();
            await new Promise((r) => setTimeout(r, 250)); // let those error events go out
            http.closeAllConnections();
            await closed;
          }
          clearInterval(idle);
          records?.close();
        },
      };
      warmUp(url, index.papers, !llm).then(() => resolve(running), reject);
    });
    applySocketLimits(server as unknown as HttpServer);
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new ConfigError(`port ${config.PORT} on ${config.HOST} is in use: stop the other server or set PORT`) : e),
    );
  });
}

/** The server process: starts, prints where it serves, stops gracefully on SIGINT/SIGTERM. `src/main.ts` calls it. */
export async function main() {
  const started = Date.now();
  try {
    const server = await startServer();
    console.log(`paper chat: serving on ${server.url} (ready in ${Date.now() - started} ms)`);
    const stop = (signal: string) => {
      console.error(`paper chat: ${signal}: finishing the answers in flight (up to ${server.config.SHUTDOWN_GRACE_MS} ms), then stopping`);
      void server.shutdown().then(() => process.exit(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // Memory checks (test/stress/): with node --expose-gc, SIGUSR2 runs a full collection and
    // prints the heap and the external memory (buffers) then in use: a leak shows there, free of
    // the allocator's retained pages.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) process.on('SIGUSR2', () => {
      gc();
      const m = process.memoryUsage();
      console.log(`paper chat: memory after a full collection: heap used ${(m.heapUsed / 2 ** 20).toFixed(1)} MB, external ${(m.external / 2 ** 20).toFixed(1)} MB`);
    });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof CorpusError || e instanceof ForeignFolderError) {
      console.error(`paper chat: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}

