import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Answerer } from '../answer/answerer.js';
import type { Retriever } from '../retrieval/retriever.js';
import { withRecords, type RecordingOptions } from '../insights/recorder.js';
import type { FeedbackStore } from '../insights/store.js';
import { isChatRequest } from './chat-requests.js';
import { handleError, sendError } from './errors.js';
import { concurrencyLimit } from './middleware/concurrency-limit.js';
import { hostGuard } from './middleware/host-guard.js';
import { originGuard } from './middleware/origin-guard.js';
import { weightedRateLimit } from './middleware/rate-limit.js';
import { requestLog } from './middleware/request-log.js';
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
import { takingTurns, type TurnScheduler } from './turns.js';

/** Largest accepted request body: 50 turns of 8,000 characters fit. */
export const MAX_BODY_BYTES = 512 * 1024;
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
  /** Host names the server answers to, on every route; empty: any (see hostGuard). */
  allowedHosts?: readonly string[];
  /**
   * API request units per client per minute, one budget for every API request (a chat costs
   * CHAT_COST, anything else 1); 0 turns the limit off. Default 0.
   */
  rateLimitPerMinute?: number;
  /**
   * Another store for the limit (the Workers entry: Cloudflare's rate-limiting bindings, shared by
   * every isolate, which count calls, not costs): middleware for chats and for other API requests,
   * in place of the in-memory budget. They answer a limited client with `rateLimited()`.
   */
  rateLimiters?: { chat: MiddlewareHandler; api: MiddlewareHandler };
  /**
   * Turns at composing answers (CPU-bound): chats take one per step, so searches run between the
   * steps of many answers. The Node entry passes `turnScheduler(setImmediate)`; unset: no turns.
   */
  turns?: TurnScheduler;
  /**
   * Chats answered at once; more wait in a queue of `chatQueue` at most, while their measured wait
   * is at most `chatQueueWaitMs`; beyond it 503. Unset: no cap.
   */
  maxConcurrentChats?: number;
  chatQueue?: number;
  chatQueueWaitMs?: number;
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
  /** The server's own requests (its start-up warm-up): not logged, and answered on any Host. */
  ownRequest?: (c: Context) => boolean;
}

export interface Lifecycle {
  draining(): boolean;
  stop: AbortSignal;
}

/** The 429 answer to a client over its limit (`limit`: its units a minute, when known). */
export function rateLimited(c: Context, what: 'chat' | 'API', limit: number | null, retryAfterSeconds: number): Response {
  c.header('Retry-After', String(retryAfterSeconds));
  const most = limit === null ? '' : `: at most ${limit} units a minute from one client (a search costs 1, a chat ${CHAT_COST})`;
  return sendError(c, 429, 'rate_limited', `Too many ${what} requests${most}. Wait a moment and try again.`);
}

/** The API's rate limit: the injected one (Workers), else one in-memory budget per client; null when off. */
function apiRateLimit(deps: AppDeps): MiddlewareHandler | null {
  // Whether a request is a chat reads its body (the OpenAI and MCP routes): decided once, before the limit.
  const chats = new WeakMap<Request, boolean>();
  const isChat = (c: Context) => chats.get(c.req.raw) ?? false;
  const deciding = (inner: MiddlewareHandler): MiddlewareHandler => async (c, next) => {
    chats.set(c.req.raw, await isChatRequest(c));
    return inner(c, next);
  };
  if (deps.rateLimiters) {
    const { chat, api } = deps.rateLimiters;
    return deciding((c, next) => (isChat(c) ? chat(c, next) : api(c, next)));
  }
  const rpm = deps.rateLimitPerMinute ?? 0;
  if (rpm <= 0) return null;
  return deciding(
    weightedRateLimit({
      limit: rpm,
      cost: (c) => (isChat(c) ? CHAT_COST : 1),
      key: deps.clientKey ?? ((c) => c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'anonymous'),
      ...(deps.exemptFromRateLimit ? { skip: deps.exemptFromRateLimit } : {}),
      onLimited: (c, retryAfter) => rateLimited(c, isChat(c) ? 'chat' : 'API', rpm, retryAfter),
    }),
  );
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

  if (deps.requestLog) app.use('*', requestLog({ write: deps.requestLog, ...(deps.ownRequest ? { skip: deps.ownRequest } : {}) }));
  app.use('*', hostGuard({ allowedHosts: deps.allowedHosts ?? [], ...(deps.ownRequest ? { skip: deps.ownRequest } : {}) }));
  if (deps.lifecycle) {
    const { draining } = deps.lifecycle;
    app.use('*', async (c, next) => {
      if (!draining()) return next();
      c.header('Connection', 'close');
      c.header('Retry-After', '5');
      return sendError(c, 503, 'shutting_down', 'The server is restarting or shutting down. Try again in a few seconds.');
    });
  }
  const guard = originGuard({ allowedOrigins: deps.allowedOrigins ?? [] });
  for (const path of API_PATHS) app.use(path, guard);
  // The rest of an unread body is drained by the adapter (Node: src/node/http-server.ts), so the
  // connection stays usable for the client's next request.
  const limitBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => sendError(c, 413, 'body_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KB. Send a shorter conversation.`) });
  for (const path of API_PATHS) app.use(path, limitBody);
  const limiter = apiRateLimit(deps);
  if (limiter) for (const path of API_PATHS) app.use(path, limiter);
  if (deps.maxConcurrentChats) {
    const slots = concurrencyLimit({ max: deps.maxConcurrentChats, queue: deps.chatQueue ?? 0, ...(deps.chatQueueWaitMs !== undefined ? { maxWaitMs: deps.chatQueueWaitMs } : {}) });
    for (const path of ['/api/chat', '/v1/chat/completions', '/mcp']) app.use(path, async (c, next) => ((await isChatRequest(c)) ? slots(c, next) : next()));
  }
  // Every answer passes the records on its way out (FEEDBACK, GAP_LOG): the chat, OpenAI and MCP routes alike.
  const records = deps.records;
  const recorded = records ? withRecords(deps.answerer, records.store, records, log) : deps.answerer;
  // Composing takes turns (CPU-bound), so searches run between the steps of many answers.
  const answerer = deps.turns ? takingTurns(recorded, deps.turns) : recorded;
  const feedback = Boolean(records && records.answers !== false);
  const admin = records && deps.adminToken ? deps.adminToken : null;

  app.route('/', healthRoutes({ retriever: deps.retriever, answerer: deps.answerer, embedder: deps.embedder, log, feedback }));
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
