/**
 * Cloudflare Workers entry: the same Hono app as the Node server, over one of two storage modes
 * (INDEX_STORAGE):
 * - `assets` (small collections): the index files `npm run ingest` writes to data/index/, uploaded
 *   as static assets and read through the ASSETS binding;
 * - `d1` (large collections): papers, postings and the term dictionary in D1 (binding DB), loaded by
 *   `npm run deploy:data`.
 * In both, dense retrieval is on when the Vectorize (VECTORS) and Workers AI (AI) bindings exist:
 * queries are embedded by WORKERS_AI_EMBEDDING_MODEL, in the space of the local model that
 * embedded the documents. Answers are extractive, or from the configured OpenAI-compatible LLM,
 * or from WORKERS_AI_MODEL. Rate limits use Cloudflare's rate-limiting bindings when they exist.
 * Answer records, feedback and coverage gaps go to the D1 database bound as FEEDBACK_DB, when bound.
 */
import { llmFromConfig, workersAiLlm } from './answer/llm-client.js';
import { createAnswerer } from './answer/answerer.js';
import { loadConfig } from './config.js';
import type { AiLike, AssetsLike, D1Like, RateLimitBinding, VectorizeLike } from './platform/workers/bindings.js';
import { denseRetrieval } from './platform/workers/dense.js';
import { openCollection } from './platform/workers/storage.js';
import { HybridRetriever } from './retrieval/retriever.js';
import { TermStats } from './retrieval/term-stats.js';
import type { MiddlewareHandler } from 'hono';
import { createApp, rateLimited, type App } from './server/app.js';
import { openD1Store, type D1Database } from './d1-store.js';
import * as assets from './server/web-assets.generated.js';
import answerPrompt from '../prompts/answer.txt';
import condensePrompt from '../prompts/condense.txt';
import translatePrompt from '../prompts/translate.txt';
// The English word list the Node server reads from the word-list package (its exports hide the
// file), bundled as text: it tells a typo from a real word the papers do not use.
import englishWords from '../node_modules/word-list/words.txt';

interface Env {
  ASSETS?: AssetsLike;
  DB?: D1Like;
  /** Answer records, feedback and coverage gaps (FEEDBACK, GAP_LOG): without it, none are kept and /api/feedback does not exist. */
  FEEDBACK_DB?: D1Database;
  VECTORS?: VectorizeLike;
  AI?: AiLike;
  /** Cloudflare rate-limiting bindings (wrangler.toml [[ratelimits]]): chats, and other API requests. */
  CHAT_RATE_LIMITER?: RateLimitBinding;
  API_RATE_LIMITER?: RateLimitBinding;
  [key: string]: unknown;
}

let english: Set<string> | null = null;
/** Built on first need (a query word the collection does not use), once per isolate. */
const isEnglishWord = (w: string) => (english ??= new Set(englishWords.split('\n'))).has(w);

let app: Promise<App> | null = null;

async function build(env: Env): Promise<App> {
  const config = loadConfig(Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>);
  const collection = await openCollection(config.INDEX_STORAGE, env, isEnglishWord);
  const { dense, unavailable } = denseRetrieval(env, config, collection.embedder);
  const retriever = new HybridRetriever({
    papers: collection.papers,
    lexical: collection.lexical,
    dense,
    spelling: collection.spelling,
    denseWeight: collection.calibration.denseWeight,
  });
  const prompts = { answer: answerPrompt, condense: condensePrompt, translate: translatePrompt };
  const llm = llmFromConfig(config, prompts) ?? (config.WORKERS_AI_MODEL && env.AI ? workersAiLlm(env.AI, config.WORKERS_AI_MODEL, config, prompts) : null);
  // Many isolates serve one Worker: set ANSWER_SIGNING_KEY so they all trust the same signatures.
  const answerer = createAnswerer({
    retriever,
    stats: new TermStats(collection.frequencies),
    calibration: collection.calibration,
    llm,
    ...(config.ANSWER_SIGNING_KEY ? { signingKey: config.ANSWER_SIGNING_KEY } : {}),
  });
  const clientKey = (c: { req: { header(name: string): string | undefined } }) => c.req.header('cf-connecting-ip') ?? 'unknown';
  // Limits shared by every isolate when the bindings exist (their limits are set in wrangler.toml);
  // else per isolate, in memory, from RATE_LIMIT_PER_MINUTE.
  // (@hono-rate-limiter/cloudflare does the same, but its types declare the Workers globals for the
  // whole program, clashing with the widget's DOM types; the call is one line.)
  const bound = (binding: RateLimitBinding, what: 'chat' | 'API'): MiddlewareHandler => async (c, next) => {
    const { success } = await binding.limit({ key: `${what}:${clientKey(c)}` });
    return success ? next() : rateLimited(c, what, null, 60);
  };
  const rateLimiters = env.CHAT_RATE_LIMITER && env.API_RATE_LIMITER ? { chat: bound(env.CHAT_RATE_LIMITER, 'chat'), api: bound(env.API_RATE_LIMITER, 'API') } : undefined;
  const records = env.FEEDBACK_DB && (config.FEEDBACK || config.GAP_LOG) ? await openD1Store(env.FEEDBACK_DB) : null;
  return createApp({
    retriever,
    answerer,
    ...(records ? { records: { store: records, answers: config.FEEDBACK, gaps: config.GAP_LOG, weakBelow: config.GAP_WEAK_BELOW } } : {}),
    ...(config.ADMIN_TOKEN ? { adminToken: config.ADMIN_TOKEN } : {}),
    embedder: { id: dense?.embedder.id ?? 'none', ...(unavailable ? { unavailable } : {}) },
    assets,
    // workerd compresses responses itself; compressing here too would send them compressed twice.
    compressWeb: false,
    allowedOrigins: config.ALLOWED_ORIGINS,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    ...(rateLimiters ? { rateLimiters } : {}),
    clientKey,
  });
}

export default {
  async fetch(request: Request, env: Env, ctx: unknown): Promise<Response> {
    app ??= build(env).catch((e) => {
      app = null;
      throw e;
    });
    let built: App;
    try {
      built = await app;
    } catch (e) {
      // A deployment that cannot serve (missing binding, data not loaded, bad setting): say what
      // to do, without a stack trace; the next request tries again.
      const message = e instanceof Error ? e.message : String(e);
      console.error(`paper chat: the Worker cannot start: ${message}`);
      return Response.json({ error: { code: 'not_configured', message: `The service is not set up: ${message}` } }, { status: 503, headers: { 'Retry-After': '30' } });
    }
    return built.fetch(request, env, ctx as never);
  },
};
