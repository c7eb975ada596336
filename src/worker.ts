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
import { loadConfig, type Config } from './config.js';
import { PaperSchema, type Paper } from './corpus/schema.js';
import { CalibrationSchema, type Calibration } from './support/calibrate.js';
import { D1Collection, type D1Like } from './retrieval/d1-collection.js';
import type { Embedder } from './retrieval/embedder.js';
import { LexicalIndex } from './retrieval/lexical.js';
import { HybridRetriever, type LexicalSearcher, type PaperStore } from './retrieval/retriever.js';
import { SpellingCorrector } from './retrieval/spelling.js';
import { TermStats, type DocumentFrequencies } from './retrieval/term-stats.js';
import { VectorizeSearcher, type VectorizeLike } from './retrieval/vectorize.js';
import { sameSpace, workersAiEmbedder, type AiLike } from './retrieval/workers-ai.js';
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

interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

interface Env {
  ASSETS?: { fetch(input: string): Promise<Response> };
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

/** What a storage mode provides. */
interface Collection {
  papers: readonly Paper[] | PaperStore;
  lexical: LexicalSearcher;
  frequencies: DocumentFrequencies;
  calibration: Calibration;
  spelling: Pick<SpellingCorrector, 'correct'>;
  /** The embedder that made the index's vectors, if any. */
  embedder: { id: string; dim: number } | null;
}

let english: Set<string> | null = null;
/** Built on first need (a query word the collection does not use), once per isolate. */
const isEnglishWord = (w: string) => (english ??= new Set(englishWords.split('\n'))).has(w);

async function fromAssets(env: Env): Promise<Collection> {
  if (!env.ASSETS) throw new Error('INDEX_STORAGE=assets needs the ASSETS binding ([assets] in wrangler.toml, directory = the index folder)');
  const read = async (name: string) => {
    const res = await env.ASSETS!.fetch(`https://assets.local/${name}`);
    if (!res.ok) throw new Error(`index file ${name} is missing from the deployment: run npm run ingest before wrangler deploy`);
    return res;
  };
  const [papersRes, lexicalRes, calibrationRes, manifestRes] = await Promise.all([read('papers.json'), read('lexical.bin'), read('calibration.json'), read('manifest.json')]);
  const papers = PaperSchema.array().parse(await papersRes.json());
  const lexical = LexicalIndex.fromBinary(await lexicalRes.arrayBuffer());
  const manifest = (await manifestRes.json()) as { embedder: { id: string; dim: number } | null };
  const calibration = CalibrationSchema.parse(await calibrationRes.json());
  return { papers, lexical, frequencies: lexical, calibration, spelling: SpellingCorrector.fromPapers(papers, isEnglishWord), embedder: manifest.embedder };
}

async function fromD1(env: Env): Promise<Collection> {
  if (!env.DB) throw new Error('INDEX_STORAGE=d1 needs a D1 binding named DB ([[d1_databases]] in wrangler.toml), loaded with npm run deploy:data');
  const collection = await D1Collection.open(env.DB);
  const meta = await collection.meta();
  return { papers: collection, lexical: collection, frequencies: collection, calibration: CalibrationSchema.parse(meta.calibration), spelling: collection.spelling(isEnglishWord), embedder: meta.embedder };
}

/** Dense retrieval when Vectorize and Workers AI are bound and embed in the index's space; else why not. */
function denseParts(env: Env, config: Config, index: Collection['embedder']): { dense: { embedder: Embedder; store: VectorizeSearcher } | null; unavailable?: string } {
  if (!env.VECTORS || !env.AI) return { dense: null, unavailable: 'dense retrieval needs the Vectorize (VECTORS) and Workers AI (AI) bindings; search is lexical (BM25)' };
  if (!index) return { dense: null, unavailable: 'the index has no vectors (it was ingested without an embedding model); search is lexical (BM25)' };
  const embedder = workersAiEmbedder(env.AI, config.WORKERS_AI_EMBEDDING_MODEL, index.dim);
  const mismatch = sameSpace(index.id, embedder);
  if (mismatch) return { dense: null, unavailable: mismatch };
  return { dense: { embedder, store: new VectorizeSearcher(env.VECTORS) } };
}

let app: Promise<App> | null = null;

async function build(env: Env): Promise<App> {
  const config = loadConfig(Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>);
  const collection = config.INDEX_STORAGE === 'd1' ? await fromD1(env) : await fromAssets(env);
  const { dense, unavailable } = denseParts(env, config, collection.embedder);
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
