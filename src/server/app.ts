import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { rateLimiter } from 'hono-rate-limiter';
import type { Answerer } from '../answer/answerer.js';
import type { Retriever } from '../retrieval/retriever.js';
import { withRecords, type RecordingOptions } from '../insights/recorder.js';
import type { FeedbackStore } from '../insights/store.js';
import { isChatRequest } from './chat-requests.js';
import { handleError, sendError } from './errors.js';
import { concurrencyLimit } from './middleware/concurrency-limit.js';
import { originGuard } from './middleware/origin-guard.js';
import { adminRoutes } from './routes/admin.js';
import { chatRoutes } from './routes/chat.js';
import { citeRoutes } from './routes/cite.js';
import { feedbackRoutes } from './routes/feedback.js';
import { healthRoutes } from './routes/health.js';
import { mcpRoutes } from './routes/mcp.js';
import { openAiRoutes } from './routes/openai.js';
import { openApiRoutes } from './routes/openapi.js';
import { paperRoutes } from './routes/papers.js';
import { searchRoutes } from './routes/search.js';
import { webRoutes, type WebAssets } from './routes/web.js';

/** Largest accepted request body: 50 turns of 8,000 characters fit. */
const MAX_BODY_BYTES = 512 * 1024;
/** What a chat costs against the rate limit, in units of a search (it searches, then composes, maybe with an LLM). */
export const CHAT_COST = 6;

/** Each route and the methods it answers (OPTIONS is the CORS preflight, answered by the origin guard). */
const ALLOWED_METHODS: readonly [string, string][] = [
  ['/health', 'GET, HEAD'],
  ['/api/search', 'POST, OPTIONS'],
  ['/api/chat', 'POST, OPTIONS'],
  ['/api/papers/:id', 'GET, HEAD, OPTIONS'],
  ['/api/papers/:id/cite', 'GET, HEAD, OPTIONS'],
  ['/api/feedback', 'POST, OPTIONS'],
  ['/v1/models', 'GET, HEAD, OPTIONS'],
  ['/v1/models/:model', 'GET, HEAD, OPTIONS'],
  ['/v1/chat/completions', 'POST, OPTIONS'],
  ['/mcp', 'POST, OPTIONS'],
  ['/openapi.json', 'GET, HEAD'],
  ['/docs', 'GET, HEAD'],
  ['/admin', 'GET, HEAD'],
  ['/', 'GET, HEAD'],
  ['/widget.js', 'GET, HEAD'],
];

/** Paths behind the origin guard, the body limit and the rate limit. */
const API_PATHS = ['/api/*', '/v1/*', '/mcp'];

export interface AppDeps {
  retriever: Retriever;
  answerer: Answerer;
  /** Embedder id, or `none`; and why dense retrieval is off, when it is. */
  embedder: { id: string; unavailable?: string };
  assets: WebAssets;
  /** Compress the page and widget here (Node). Workers compress responses themselves: false there. */
  compressWeb?: boolean;
  allowedOrigins?: readonly string[];
  /** Host names the server answers to for same-origin requests; empty: any (see originGuard). */
  allowedHosts?: readonly string[];
  /** API request units per client per minute (a chat costs CHAT_COST); 0 turns the limit off. Default 0. */
  rateLimitPerMinute?: number;
  /**
   * Another store for the limit (the Workers entry: Cloudflare's rate-limiting bindings, shared by
   * every isolate): middleware for chats and for other API requests, in place of the in-memory one.
   * They answer a limited client with `rateLimited()`.
   */
  rateLimiters?: { chat: MiddlewareHandler; api: MiddlewareHandler };
  /** Chats answered at once; more wait in a queue of `chatQueue`, beyond it 503. Unset: no cap. */
  maxConcurrentChats?: number;
  chatQueue?: number;
  /** Identifies a client for rate limiting (the Node entry uses the socket address). */
  clientKey?: (c: Context) => string;
  /** Requests the rate limit does not count (the server's own start-up warm-up). */
  exemptFromRateLimit?: (c: Context) => boolean;
  log?: (msg: string) => void;
  /**
   * Shutting down: once `draining()` holds, new requests get 503; when `stop` aborts (the grace
   * period is over), answers still streaming end with an `error` event.
   */
  lifecycle?: Lifecycle;
  /**
   * Answer records, feedback and coverage gaps (src/insights/): the store, and what to record
   * (`answers`: FEEDBACK, which also mounts `POST /api/feedback`; `gaps`: GAP_LOG). None: nothing
   * is recorded and there is no feedback route.
   */
  records?: { store: FeedbackStore } & Partial<RecordingOptions>;
  /** ADMIN_TOKEN: `/admin` shows the coverage report to its holder. Without it (or without records) `/admin` does not exist. */
  adminToken?: string;
  /** Receives one JSON line per request (REQUEST_LOG); none when unset. */
  requestLog?: (line: string) => void;
  /** Requests not logged (the server's own start-up warm-up). */
  unlogged?: (c: Context) => boolean;
}

export interface Lifecycle {
  draining(): boolean;
  stop: AbortSignal;
}

/** The 429 answer to a client over its limit. */
export function rateLimited(c: Context, what: 'chat' | 'API', limit: number | null, retryAfterSeconds: number): Response {
  c.header('Retry-After', String(retryAfterSeconds));
  const most = limit === null ? '' : `: at most ${limit} a minute from one client`;
  return sendError(c, 429, 'rate_limited', `Too many ${what} requests${most}. Wait a moment and try again.`);
}

/**
 * Per-client limits kept in this process's memory (the Node server; one isolate on Workers).
 * Weighted by cost: a chat counts CHAT_COST units of the minute's budget, anything else one.
 */
function memoryRateLimiters(rpm: number, clientKey: AppDeps['clientKey'], exempt: AppDeps['exemptFromRateLimit']): { chat: MiddlewareHandler; api: MiddlewareHandler } {
  const key = clientKey ?? ((c: Context) => c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'anonymous');
  const limited = (limit: number, what: 'chat' | 'API') =>
    rateLimiter({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-7',
      keyGenerator: (c) => `${what}:${key(c)}`,
      skip: exempt ?? (() => false),
      handler: (c) => rateLimited(c, what, limit, Number(/reset=(\d+)/.exec(c.res.headers.get('ratelimit') ?? '')?.[1] ?? 60)),
    });
  return { chat: limited(Math.max(1, Math.floor(rpm / CHAT_COST)), 'chat'), api: limited(rpm, 'API') };
}

/**
 * Builds the whole HTTP app from its dependencies. Runtime-agnostic (no Node APIs): the Node
 * server, the Cloudflare Worker and the tests all call this.
 *
 * @example
 * serve({ fetch: createApp({ retriever, answerer, embedder, assets }).fetch, port: 8787 })
 */
export function createApp(deps: AppDeps) {
  const log = deps.log ?? console.error;
  const app = new Hono();

  // One structured line per request: id (also sent as X-Request-Id), method, path, status, duration.
  // No bodies, keys or prompts.
  if (deps.requestLog) {
    const write = deps.requestLog;
    app.use('*', async (c, next) => {
      const id = c.req.header('x-request-id')?.match(/^[\w-]{8,64}$/)?.[0] ?? crypto.randomUUID();
      const t0 = performance.now();
      c.header('X-Request-Id', id);
      await next();
      if (deps.unlogged?.(c)) return;
      write(JSON.stringify({ id, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - t0) }));
    });
  }
  if (deps.lifecycle) {
    const { draining } = deps.lifecycle;
    app.use('*', async (c, next) => {
      if (!draining()) return next();
      c.header('Connection', 'close');
      c.header('Retry-After', '5');
      return sendError(c, 503, 'shutting_down', 'The server is restarting or shutting down. Try again in a few seconds.');
    });
  }
  const guard = originGuard({ allowedOrigins: deps.allowedOrigins ?? [], allowedHosts: deps.allowedHosts ?? [] });
  for (const path of API_PATHS) app.use(path, guard);
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => {
      // The rest of the body is never read, so this connection cannot carry another request.
      c.header('Connection', 'close');
      return sendError(c, 413, 'body_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KB. Send a shorter conversation.`);
    },
  });
  for (const path of API_PATHS) app.use(path, limitBody);
  const rpm = deps.rateLimitPerMinute ?? 0;
  const limiters = deps.rateLimiters ?? (rpm > 0 ? memoryRateLimiters(rpm, deps.clientKey, deps.exemptFromRateLimit) : null);
  if (limiters) for (const path of API_PATHS) app.use(path, async (c, next) => ((await isChatRequest(c)) ? limiters.chat(c, next) : limiters.api(c, next)));
  if (deps.maxConcurrentChats) {
    const slots = concurrencyLimit({ max: deps.maxConcurrentChats, queue: deps.chatQueue ?? 0 });
    for (const path of ['/api/chat', '/v1/chat/completions', '/mcp']) app.use(path, async (c, next) => ((await isChatRequest(c)) ? slots(c, next) : next()));
  }
  // Every answer passes the records on its way out (FEEDBACK, GAP_LOG): the chat, OpenAI and MCP routes alike.
  const records = deps.records;
  const answerer = records ? withRecords(deps.answerer, records.store, records, log) : deps.answerer;
  const feedback = Boolean(records && records.answers !== false);
  const admin = records && deps.adminToken ? deps.adminToken : null;


  // The smoke query: a paper's own title must find that paper among the BM25 top 5 (cheap, and it
  // exercises the index), and the dense list, when there is one, must answer too. The fused list
  // is not checked: which paper it ranks first is the embedder's business.
  app.route('/', healthRoutes(async () => {
    let problem: string | undefined;
    try {
      const probe = await deps.retriever.samplePaper();
      const lists = probe ? await deps.retriever.lists(probe.title, 5) : null;
      if (!probe || !lists) problem = 'the index holds no papers: run npm run ingest';
      else if (!lists.lexical.slice(0, 5).some((h) => h.id === probe.id)) problem = 'a search for a paper’s own title does not find it: the index is inconsistent; run npm run ingest -- --force';
      else if (lists.dense && !lists.dense.length) problem = 'the dense retriever returns nothing: run npm run ingest -- --force';
    } catch (e) {
      log(`health: the smoke search failed: ${e instanceof Error ? e.message : String(e)}`);
      problem = 'searching the index fails: run npm run ingest -- --force';
    }
    return {
      status: problem ? 'degraded' : 'ok',
      ...(problem ? { problem } : {}),
      papers: deps.retriever.size,
      dense: deps.retriever.dense,
      embedder: deps.embedder.id,
      ...(deps.embedder.unavailable ? { denseUnavailable: deps.embedder.unavailable } : {}),
      llm: deps.answerer.label,
      feedback,
    };
  }));
  app.route('/', searchRoutes(deps.retriever));
  app.route('/', citeRoutes(deps.retriever));
  app.route('/', paperRoutes(deps.retriever));
  app.route('/', chatRoutes(answerer, log, deps.lifecycle?.stop));
  app.route('/', openAiRoutes(answerer, deps.retriever, log, deps.lifecycle?.stop));
  app.route('/', mcpRoutes({ retriever: deps.retriever, answerer }));
  if (records && feedback) app.route('/', feedbackRoutes(records.store));
  if (records && admin) app.route('/', adminRoutes(admin, records.store, deps.retriever, deps.retriever.embedder));
  app.route('/', openApiRoutes({ feedback, admin: admin !== null }));
  app.route('/', webRoutes(deps.assets, { compressed: deps.compressWeb ?? true }));

  // A known path asked with another method: 405 naming the methods it takes (not a 404).
  for (const [path, allow] of ALLOWED_METHODS) {
    if ((path === '/api/feedback' && !feedback) || (path === '/admin' && !admin)) continue;
    app.all(path, (c) => {
      c.header('Allow', allow);
      return sendError(c, 405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allow}.`);
    });
  }

  app.notFound((c) => sendError(c, 404, 'not_found', `No route ${c.req.method} ${c.req.path}. See the README for the API.`));
  app.onError((err, c) => handleError(err, c, log));
  return app;
}

export type App = ReturnType<typeof createApp>;
