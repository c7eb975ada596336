/**
 * Cloudflare Workers entry: the same Hono app as the Node server, built from the index files that
 * `npm run ingest` writes to data/index/ and wrangler uploads as static assets (binding ASSETS).
 * Retrieval is lexical (BM25) on Workers; answers are extractive, or from the configured
 * OpenAI-compatible LLM. Prompts are bundled as text.
 */
import { llmFromConfig } from './answer/llm-client.js';
import { createAnswerer } from './answer/answerer.js';
import { loadConfig } from './config.js';
import { PaperSchema } from './corpus/schema.js';
import { CalibrationSchema } from './support/calibrate.js';
import { LexicalIndex } from './retrieval/lexical.js';
import { HybridRetriever } from './retrieval/retriever.js';
import { TermStats } from './retrieval/term-stats.js';
import { createApp, type App } from './server/app.js';
import * as assets from './server/web-assets.generated.js';
import answerPrompt from '../prompts/answer.txt';
import condensePrompt from '../prompts/condense.txt';
import suggestPrompt from '../prompts/suggest.txt';

interface Env {
  ASSETS: { fetch(input: string): Promise<Response> };
  [key: string]: unknown;
}

let app: Promise<App> | null = null;

async function build(env: Env): Promise<App> {
  const config = loadConfig(Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>);
  const read = async (name: string) => {
    const res = await env.ASSETS.fetch(`https://assets.local/${name}`);
    if (!res.ok) throw new Error(`index file ${name} is missing from the deployment: run npm run ingest before wrangler deploy`);
    return res;
  };
  const [papersRes, lexicalRes, calibrationRes] = await Promise.all([read('papers.json'), read('lexical.bin'), read('calibration.json')]);
  const papers = PaperSchema.array().parse(await papersRes.json());
  const lexical = LexicalIndex.fromBinary(await lexicalRes.arrayBuffer());
  const calibrationText = await calibrationRes.text();
  const retriever = new HybridRetriever({ papers, lexical });
  const llm = llmFromConfig(config, { answer: answerPrompt, condense: condensePrompt, suggest: suggestPrompt });
  // Many isolates serve one Worker: set ANSWER_SIGNING_KEY so they all trust the same signatures.
  const answerer = createAnswerer({
    retriever,
    stats: new TermStats(lexical),
    calibration: CalibrationSchema.parse(JSON.parse(calibrationText)),
    llm,
    ...(config.ANSWER_SIGNING_KEY ? { signingKey: config.ANSWER_SIGNING_KEY } : {}),
  });
  return createApp({
    retriever,
    answerer,
    embedder: { id: 'none', unavailable: 'dense retrieval is not available on Workers; search is lexical (BM25)' },
    assets,
    // workerd compresses responses itself; compressing here too would send them compressed twice.
    compressWeb: false,
    allowedOrigins: config.ALLOWED_ORIGINS,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    clientKey: (c) => c.req.header('cf-connecting-ip') ?? 'unknown',
  });
}

export default {
  async fetch(request: Request, env: Env, ctx: unknown): Promise<Response> {
    app ??= build(env).catch((e) => {
      app = null;
      throw e;
    });
    return (await app).fetch(request, env, ctx as never);
  },
};
