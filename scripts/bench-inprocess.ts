/**
 * In-process measurements for scripts/bench.mjs (run by it as `node --import tsx scripts/bench-inprocess.ts MODE ...`).
 * Each mode prints JSON lines on stdout: progress lines `{"progress":...}` and one final
 * `{"result":{...}}`, so the parent keeps what was measured even when a run is cut short.
 *
 *   search --index DIR --questions FILE [--warmup 30]
 *       loads the index with loadIndex, builds HybridRetriever as src/node.ts does (lexical only,
 *       spelling corrector included) and times retriever.search(q, 10) per question.
 *   dense --index DIR --questions FILE [--dim 384] [--warmup 30]
 *       the same with fake dense vectors: the index's own when it was built with fake:<dim>, else
 *       vectors embedded here by the fake embedder into a vectra store in a temporary folder.
 *       Times the hybrid search, the vector store's query alone, and side by side a brute-force
 *       floor (dot products over one Float32Array of the same vectors, top 50 kept).
 *   dense --corpus FILE ...
 *       the same on a corpus file, the lexical index and the vectors built here (no ingest).
 *   vectra --corpus FILE --questions FILE [--dim 384] [--queries 20]
 *       vectra's own LocalDocumentIndex on the same papers with the same fake vectors, queried
 *       with isBm25 (its hybrid): ingest time, then one progress line per query.
 *   embed --corpus FILE --model ID --models-dir DIR
 *       a real transformers.js model's embedding time alone, per paper (batches of 32, as ingestion).
 *
 * The questions file is a JSON array of strings (scripts/bench.mjs writes it from a seed).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { LocalDocumentIndex, type EmbeddingsModel, type EmbeddingsResponse } from 'vectra';
import { loadCorpus } from '../src/corpus/load.js';
import type { Paper } from '../src/corpus/schema.js';
import { FILES, loadIndex } from '../src/platform/node/index-files.js';
import { createFakeEmbedder } from '../src/retrieval/fake-embedder.js';
import { LexicalIndex } from '../src/retrieval/lexical/lexical-index.js';
import { HybridRetriever } from '../src/retrieval/retriever.js';
import { loadSpelling } from '../src/platform/node/spelling.js';
import { loadTransformersEmbedder } from '../src/platform/node/transformers-embedder.js';
import { VectorStore } from '../src/platform/node/vector-store.js';
import { percentile as nearestRank } from '../src/util/quantiles.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    index: { type: 'string' },
    corpus: { type: 'string' },
    questions: { type: 'string' },
    dim: { type: 'string', default: '384' },
    warmup: { type: 'string', default: '30' },
    queries: { type: 'string', default: '20' },
    k: { type: 'string', default: '10' },
    model: { type: 'string' },
    'models-dir': { type: 'string' },
  },
});

const emit = (line: Record<string, unknown>) => process.stdout.write(JSON.stringify(line) + '\n');
const progress = (what: Record<string, unknown>) => emit({ progress: what });

/** Percentile (nearest rank) of a list of numbers, in its unit, rounded to 3 decimals. */
function percentile(values: number[], p: number): number | null {
  const v = nearestRank(values, p);
  return v === null ? null : Math.round(v * 1000) / 1000;
}

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

async function readQuestions(): Promise<string[]> {
  if (!values.questions) throw new Error('--questions FILE is required');
  const list = JSON.parse(await readFile(values.questions, 'utf8')) as unknown;
  if (!Array.isArray(list) || !list.every((q) => typeof q === 'string') || !list.length) throw new Error(`${values.questions}: expected a JSON array of strings`);
  return list as string[];
}

const docText = (p: Pick<Paper, 'title' | 'abstract'>) => `${p.title}. ${p.abstract}`; // as src/ingest/ingest.ts embeds papers
const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);

/** Lexical search through HybridRetriever, exactly as the server builds it without an embedder. */
async function searchMode() {
  if (!values.index) throw new Error('--index DIR is required');
  const questions = await readQuestions();
  const [index, loadMs] = await time(() => loadIndex(values.index!));
  const [spelling, spellingMs] = await time(() => loadSpelling(index.papers));
  const retriever = new HybridRetriever({ papers: index.papers, lexical: index.lexical, dense: null, spelling });
  const k = Number(values.k);
  for (const q of questions.slice(0, Number(values.warmup))) await retriever.search(q, k);
  const ms: number[] = [];
  for (const q of questions) ms.push((await time(() => retriever.search(q, k)))[1]);
  emit({
    result: {
      papers: index.papers.length,
      queries: questions.length,
      loadIndexMs: Math.round(loadMs),
      loadSpellingMs: Math.round(spellingMs),
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
      rssMb: rssMb(),
    },
  });
}

/**
 * The top `k` of the dot products of `query` with each row of `matrix` (n rows of `dim`): the
 * plain-JavaScript floor of any exhaustive store. Four accumulators per row, and a row enters the
 * sorted top list only when it beats the worst kept (k is 50: insertion is cheap).
 */
function bruteForceTopK(matrix: Float32Array, n: number, dim: number, query: Float32Array, k: number): { index: number; score: number }[] {
  const top: { index: number; score: number }[] = [];
  let worst = -Infinity;
  const tail = dim & ~3;
  for (let r = 0, o = 0; r < n; r++, o += dim) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    for (; d < tail; d += 4) {
      s0 += matrix[o + d]! * query[d]!;
      s1 += matrix[o + d + 1]! * query[d + 1]!;
      s2 += matrix[o + d + 2]! * query[d + 2]!;
      s3 += matrix[o + d + 3]! * query[d + 3]!;
    }
    for (; d < dim; d++) s0 += matrix[o + d]! * query[d]!;
    const s = s0 + s1 + (s2 + s3);
    if (top.length < k || s > worst) {
      let at = top.length;
      while (at > 0 && top[at - 1]!.score < s) at--;
      top.splice(at, 0, { index: r, score: s });
      if (top.length > k) top.pop();
      worst = top[top.length - 1]!.score;
    }
  }
  return top;
}

/** Hybrid search with fake vectors, the store's query, and the brute-force floor side by side. */
async function denseMode() {
  const questions = await readQuestions();
  const dim = Number(values.dim);
  const embedder = createFakeEmbedder(dim);
  const cleanup: string[] = [];
  try {
    let papers: Paper[];
    let lexical: LexicalIndex;
    let store: VectorStore;
    let source: string;
    let buildVectorsMs = 0;
    let loadMs = 0;
    const buildStore = async (list: readonly Paper[]) => {
      const folder = await mkdtemp(join(tmpdir(), 'paper-chat-bench-vectors-'));
      cleanup.push(folder);
      const t0 = performance.now();
      const vectors = await embedder.embedDocuments(list.map(docText));
      const built = await VectorStore.build(join(folder, FILES.vectors), list.map((p, i) => ({ id: p.id, vector: vectors[i]! })));
      buildVectorsMs = performance.now() - t0;
      return built;
    };
    if (values.index) {
      const [index, ms] = await time(() => loadIndex(values.index!));
      loadMs = ms;
      papers = index.papers;
      lexical = index.lexical;
      if (index.vectors && index.manifest.embedder?.id === embedder.id) {
        store = index.vectors;
        source = `the index's vectors (ingested with ${embedder.id})`;
      } else {
        store = await buildStore(papers);
        source = `embedded in-process by ${embedder.id} (the index has ${index.manifest.embedder ? `vectors of ${index.manifest.embedder.id}` : 'no vectors'})`;
      }
    } else if (values.corpus) {
      const [corpus, ms] = await time(() => loadCorpus(values.corpus!));
      loadMs = ms;
      papers = corpus.papers;
      lexical = LexicalIndex.build(papers);
      store = await buildStore(papers);
      source = `embedded in-process by ${embedder.id} from the corpus file (no ingest)`;
    } else throw new Error('--index DIR or --corpus FILE is required');
    progress({ phase: 'loaded', papers: papers.length, source, rssMb: rssMb() });

    // The floor scans the same vectors: the fake embedder is deterministic, so embedding the texts
    // ingestion embedded gives the vectors the store holds (whatever its file layout).
    const n = papers.length;
    const matrix = new Float32Array(n * dim);
    for (let start = 0; start < n; start += 1000) {
      const batch = await embedder.embedDocuments(papers.slice(start, start + 1000).map(docText));
      batch.forEach((v, j) => matrix.set(v, (start + j) * dim));
    }
    const ids = papers.map((p) => p.id);

    const spelling = loadSpelling(papers);
    const retriever = new HybridRetriever({ papers, lexical, dense: { embedder, store }, spelling });
    const k = Number(values.k);
    const depth = 50; // HybridRetriever's default depth: what the store is asked for per search
    const queryVectors = await Promise.all(questions.map((q) => embedder.embedQuery(q)));
    const warm = Math.min(Number(values.warmup), questions.length);
    for (let i = 0; i < warm; i++) {
      await retriever.search(questions[i]!, k);
      await store.query(queryVectors[i]!, depth);
      bruteForceTopK(matrix, n, dim, Float32Array.from(queryVectors[i]!), depth);
    }
    const hybrid: number[] = [];
    const storeMs: number[] = [];
    const floorMs: number[] = [];
    const embedMs: number[] = [];
    let sameTop = 0;
    for (let i = 0; i < questions.length; i++) {
      hybrid.push((await time(() => retriever.search(questions[i]!, k)))[1]);
      embedMs.push((await time(() => embedder.embedQuery(questions[i]!)))[1]);
      const [hits, sMs] = await time(() => store.query(queryVectors[i]!, depth));
      const [floorTop, fMs] = await time(() => bruteForceTopK(matrix, n, dim, Float32Array.from(queryVectors[i]!), depth));
      storeMs.push(sMs);
      floorMs.push(fMs);
      if (hits[0] && floorTop[0] && hits[0].id === ids[floorTop[0].index]) sameTop += 1;
    }
    const p50 = percentile(storeMs, 50);
    const floorP50 = percentile(floorMs, 50);
    emit({
      result: {
        papers: papers.length,
        dim,
        queries: questions.length,
        vectors: source,
        loadMs: Math.round(loadMs),
        buildVectorsMs: buildVectorsMs ? Math.round(buildVectorsMs) : null,
        hybridP50: percentile(hybrid, 50),
        hybridP99: percentile(hybrid, 99),
        embedQueryP50: percentile(embedMs, 50),
        p50,
        p99: percentile(storeMs, 99),
        floorP50,
        floorP99: percentile(floorMs, 99),
        ratio: p50 !== null && floorP50 ? Math.round((p50 / floorP50) * 10) / 10 : null,
        rssMb: rssMb(),
        /** Share of queries where the store's best hit is the floor's best row: both rank the same vectors. */
        sameTop1: Math.round((sameTop / questions.length) * 1000) / 1000,
      },
    });
  } finally {
    for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  }
}

/** vectra's LocalDocumentIndex with its BM25 hybrid, on the same papers and fake vectors. */
async function vectraMode() {
  if (!values.corpus) throw new Error('--corpus FILE is required');
  const questions = (await readQuestions()).slice(0, Number(values.queries));
  const { papers } = await loadCorpus(values.corpus);
  const fake = createFakeEmbedder(Number(values.dim));
  // vectra's embeddings interface, answered by the fake embedder (chunks of one paper embed as its whole text).
  const embeddings: EmbeddingsModel = {
    maxTokens: 8000,
    async createEmbeddings(inputs: string | string[]): Promise<EmbeddingsResponse> {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      return { status: 'success', output: await fake.embedDocuments(list) };
    },
  };
  const folder = await mkdtemp(join(tmpdir(), 'paper-chat-bench-vectra-'));
  try {
    const index = new LocalDocumentIndex({ folderPath: folder, embeddings });
    const t0 = performance.now();
    await index.createIndex({ version: 1, deleteIfExists: true });
    // vectra's documented way: one upsertDocument per paper (each is its own update of index.json).
    for (let i = 0; i < papers.length; i++) {
      const p = papers[i]!;
      await index.upsertDocument(p.id, docText(p));
      if ((i + 1) % 250 === 0) progress({ phase: 'ingest', done: i + 1, ms: Math.round(performance.now() - t0) });
    }
    const ingestMs = performance.now() - t0;
    const stats = await index.getCatalogStats();
    progress({ phase: 'ingested', papers: papers.length, documents: stats.documents, chunks: stats.chunks, ingestMs: Math.round(ingestMs), rssMb: rssMb() });
    const ms: number[] = [];
    let error: string | null = null;
    // vectra 0.12 starts its BM25 set-up without awaiting it; when that set-up throws (wink's model
    // loader re-stringifies its own JSON on every call, so the string doubles per query until V8's
    // limit, around the 20th query) the rejection is unhandled. Catch it and end the query with it.
    let crash: (e: unknown) => void = () => {};
    process.on('unhandledRejection', (e) => crash(e));
    for (let i = 0; i < questions.length; i++) {
      try {
        const crashed = new Promise<never>((_, reject) => (crash = reject));
        const [results, qMs] = await time(() => Promise.race([index.queryDocuments(questions[i]!, { maxDocuments: 10, isBm25: true }), crashed]));
        ms.push(qMs);
        progress({ phase: 'query', i: i + 1, ms: Math.round(qMs * 1000) / 1000, results: results.length });
      } catch (e) {
        error = `query ${i + 1} of ${questions.length} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(0, 400);
        progress({ phase: 'query-error', i: i + 1, error });
        break;
      }
    }
    emit({
      result: {
        papers: papers.length,
        chunks: stats.chunks,
        ingestMs: Math.round(ingestMs),
        queries: ms.length,
        queriesAsked: questions.length,
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        error,
        rssMb: rssMb(),
      },
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** A real model's embedding time alone: every paper's text in batches of 32, as ingestion embeds them. */
async function embedMode() {
  if (!values.corpus || !values.model || !values['models-dir']) throw new Error('--corpus FILE --model ID --models-dir DIR are required');
  const { papers } = await loadCorpus(values.corpus);
  const [status, loadMs] = await time(() => loadTransformersEmbedder({ model: values.model!, modelsDir: values['models-dir']!, allowRemote: false }));
  if (!status.embedder) throw new Error(status.error);
  const texts = papers.map(docText);
  const [, ms] = await time(async () => {
    for (let i = 0; i < texts.length; i += 32) await status.embedder.embedDocuments(texts.slice(i, i + 32));
  });
  emit({ result: { model: status.embedder.id, papers: papers.length, loadMs: Math.round(loadMs), embedMs: Math.round(ms), perDocMs: Math.round((ms / papers.length) * 10) / 10, rssMb: rssMb() } });
}

const modes: Record<string, () => Promise<void>> = { search: searchMode, dense: denseMode, vectra: vectraMode, embed: embedMode };
const run = modes[positionals[0] ?? ''];
if (!run) {
  console.error('usage: node --import tsx scripts/bench-inprocess.ts search|dense|vectra|embed --index DIR | --corpus FILE [--questions FILE] [--model ID --models-dir DIR]');
  process.exit(2);
}
run().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
