/**
 * Node entry: validates configuration, loads the embedder, ingests when the index is missing or
 * stale, loads the index and serves the Hono app. `startServer()` is what tests and `npm start` use.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createAnswerer } from './answer/answerer.js';
import { loadPrompts } from './platform/node/prompts.js';
import { ConfigError, loadConfig, llmConfigured, type Config } from './config.js';
import { loadCorpus } from './corpus/load.js';
import { CorpusError } from './corpus/parse-json.js';
import { currentIndex } from './ingest/ingest.js';
import { loadIndex, readManifest, type LoadedIndex, ForeignFolderError } from './platform/node/index-files.js';
import { createHttpServer, DEFAULT_SOCKET_LIMITS, type SocketLimits } from './node/http-server.js';
import { drainable, stopOnSignals } from './node/lifecycle.js';
import { isWarmUp, warmUp } from './node/warm-up.js';
import { loadSpelling } from './platform/node/spelling.js';
import { HybridRetriever } from './retrieval/retriever.js';
import { TermStats } from './retrieval/term-stats.js';
import { loadEmbedder } from './platform/node/load-embedder.js';
import type { Context } from 'hono';
import { createApp, type Lifecycle } from './server/app.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';
import { turnScheduler } from './server/turns.js';
import * as assets from './server/web-assets.generated.js';

export interface RunningServer {
  url: string;
  /** Stops at once, cutting open connections (tests). */
  close(): Promise<void>;
  /**
   * Stops gracefully: new requests get 503, answers in flight may finish within `graceMs`
   * (default SHUTDOWN_GRACE_MS), then the port closes and those still streaming end with an
   * `error` event.
   */
  shutdown(graceMs?: number): Promise<void>;
  config: Config;
}

export interface StartOptions {
  /** Called once the port is open, before the start-up warm-up (signal handlers can drain from then on). */
  onListening?: (server: RunningServer) => void;
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
  const { describeIssues, ingestWithProgress } = await import('./ingest/report.js');
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

  // The OpenAI SDK is loaded only when an LLM is configured.
  const llm = llmConfigured(config) ? (await import('./answer/llm-client.js')).llmFromConfig(config, await loadPrompts(config.PROMPTS_DIR)) : null;
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
    turns: turnScheduler(setImmediate),
    chatQueue: config.CHAT_QUEUE,
    chatQueueWaitMs: config.CHAT_QUEUE_WAIT_MS,
    clientKey: (c) => clientAddress(getConnInfo(c).remote.address, c.req.header('x-forwarded-for'), config.TRUST_PROXY_HOPS),
    // Loopback clients (local tools, evaluation, the start-up warm-up) are not limited; behind a
    // reverse proxy on this machine set TRUST_PROXY_HOPS, so clients are told apart by X-Forwarded-For.
    exemptFromRateLimit: (c) => isWarmUp(c) || isLoopback(clientAddress(getConnInfo(c).remote.address, c.req.header('x-forwarded-for'), config.TRUST_PROXY_HOPS)),
    ownRequest: (c: Context) => isWarmUp(c),
    log,
    ...(lifecycle ? { lifecycle } : {}),
    ...(config.REQUEST_LOG ? { requestLog: requestLogWriter(log) } : {}),
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

const requestLogWriter = (log: Log) => (line: string) => log(`request ${line}`);

/** The socket limits from the configuration (the headers timeout cannot exceed the request's: Node refuses it). */
export const socketLimits = (config: Config): SocketLimits => ({
  ...DEFAULT_SOCKET_LIMITS,
  requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
  headersTimeoutMs: Math.min(config.HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS),
  maxConnectionsPerAddress: config.MAX_CONNECTIONS_PER_CLIENT,
});

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

/** Builds and starts the server. `env` overrides process.env (tests pass PORT=0 for a free port). */
export async function startServer(env: Record<string, string | undefined> = process.env, log: Log = (m) => console.error(m), options: StartOptions = {}): Promise<RunningServer> {
  const loaded = loadConfig(env);
  const config = { ...loaded, CORPUS_PATH: await corpusToServe(loaded, env, log) };
  // The server comes first: the app answers through it and learns of its shutdown from it.
  let app: Awaited<ReturnType<typeof buildApp>>['app'] | null = null;
  const server = createHttpServer((req, env) => app!.fetch(req, env), { limits: socketLimits(config), log, ...(config.REQUEST_LOG ? { requestLog: requestLogWriter(log) } : {}) });
  const drain = drainable(server, log);
  // Every answer in flight listens for the shutdown (and stops listening when it ends): hundreds at
  // once are expected, not a leak.
  setMaxListeners(0, drain.stop);
  const built = await buildApp(config, log, drain);
  app = built.app;
  const info = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new ConfigError(`port ${config.PORT} on ${config.HOST} is in use: stop the other server or set PORT`) : e),
    );
    server.listen(config.PORT, config.HOST, () => resolve(server.address() as AddressInfo));
  });
  const host = info.address.includes(':') ? `[${info.address}]` : info.address;
  const url = `http://${host}:${info.port}`;
  const running: RunningServer = {
    url,
    config,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          built.records?.close();
          done();
        });
        server.closeAllConnections();
      }),
    shutdown: async (graceMs = config.SHUTDOWN_GRACE_MS) => {
      await drain.shutdown(graceMs);
      built.records?.close();
    },
  };
  options.onListening?.(running);
  await warmUp(url, built.index.papers, !built.llm, drain.draining);
  return running;
}

/** The server process: starts, prints where it serves, stops gracefully on SIGINT/SIGTERM. `src/main.ts` calls it. */
export async function main(signals: ReturnType<typeof stopOnSignals> = stopOnSignals((m) => console.error(`paper chat: ${m}`))) {
  try {
    const server = await startServer(process.env, undefined, { onListening: signals.serving });
    // performance.now() counts from the process start: what whoever started it waited.
    if (!signals.stopping()) console.log(`paper chat: serving on ${server.url} (ready in ${Math.round(performance.now())} ms)`);
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
