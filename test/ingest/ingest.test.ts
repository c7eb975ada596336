import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, type Corpus } from '../../src/corpus/load.js';
import { backupDir, FILES, loadIndex, readManifest, recoverInterruptedSwap } from '../../src/platform/node/index-files.js';
import { ingest } from '../../src/ingest/ingest.js';
import { MANIFEST_FORMAT, staleReason, type Manifest } from '../../src/ingest/manifest.js';
import type { Embedder, EmbedderStatus } from '../../src/retrieval/embedder.js';
import { reciprocalRankFusion } from '../../src/retrieval/fusion.js';
import { HybridRetriever } from '../../src/retrieval/retriever.js';
import { loadTransformersEmbedder } from '../../src/platform/node/transformers-embedder.js';
import { VectorStore } from '../../src/platform/node/vector-store.js';
import { DEFAULT_CALIBRATION } from '../../src/support/calibrate.js';
import { writeTinyModel } from '../fixtures/tiny-model.js';

const CORPUS_PATH = path.resolve('data/papers.txt');
const NO_MODEL: EmbedderStatus = { embedder: null, error: 'no model' };

let tmp: string;
let corpus: Corpus;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ingest-test-'));
  corpus = await loadCorpus(CORPUS_PATH);
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const mtimes = async (dir: string) => {
  const out: Record<string, number> = {};
  for (const f of await readdir(dir)) out[f] = (await stat(path.join(dir, f))).mtimeMs;
  return out;
};
const leftovers = async (indexDir: string) =>
  (await readdir(path.dirname(indexDir))).filter((f) => f.includes('.building-') || f === path.basename(backupDir(indexDir)));
const toJsonl = (papers: readonly { title: string; abstract: string }[]) => papers.map((p) => JSON.stringify({ title: p.title, abstract: p.abstract })).join('\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('staleReason', () => {
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    corpusPath: 'c',
    corpusHash: 'h1',
    papers: 1,
    lexical: 'lex-1',
    embedder: { id: 'model-a', dim: 8 },
    files: {},
    builtAt: new Date().toISOString(),
    buildMs: 1,
  };

  it('is null when corpus and embedder match', () => {
    expect(staleReason(manifest, { corpusHash: 'h1', embedderId: 'model-a', lexical: 'lex-1' })).toBeNull();
    expect(staleReason({ ...manifest, embedder: null }, { corpusHash: 'h1', embedderId: null, lexical: 'lex-1' })).toBeNull();
  });

  it('explains a changed text analyzer', () => {
    expect(staleReason(manifest, { corpusHash: 'h1', embedderId: 'model-a', lexical: 'lex-2' })).toMatch(/analyzer/);
  });

  it('explains a missing index, a changed corpus and a changed embedder', () => {
    expect(staleReason(null, { corpusHash: 'h1', embedderId: null, lexical: 'lex-1' })).toMatch(/no index/);
    expect(staleReason(manifest, { corpusHash: 'h2', embedderId: 'model-a', lexical: 'lex-1' })).toMatch(/corpus/);
    const changed = staleReason(manifest, { corpusHash: 'h1', embedderId: 'model-b', lexical: 'lex-1' });
    expect(changed).toMatch(/embedder/);
    expect(changed).toContain('model-a');
    expect(changed).toContain('model-b');
    expect(staleReason(manifest, { corpusHash: 'h1', embedderId: null, lexical: 'lex-1' })).toMatch(/embedder.*none/);
    expect(staleReason({ ...manifest, embedder: null }, { corpusHash: 'h1', embedderId: 'model-a', lexical: 'lex-1' })).toMatch(/embedder/);
  });
});

describe('lexical-only ingestion', () => {
  let indexDir: string;
  let first: Awaited<ReturnType<typeof ingest>>;
  let before: number;
  let after: number;

  beforeAll(async () => {
    indexDir = path.join(tmp, 'lexical', 'index');
    before = Date.now();
    first = await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir, embedding: NO_MODEL });
    after = Date.now();
  });

  it('builds a new index and says why', () => {
    expect(first.rebuilt).toBe(true);
    expect(first.reason).toMatch(/no index/);
  });

  it('records corpus hash, paper count, the missing embedder and when it was built', async () => {
    const onDisk = JSON.parse(await readFile(path.join(indexDir, FILES.manifest), 'utf8')) as Manifest;
    expect(onDisk).toEqual(first.manifest);
    expect(onDisk.format).toBe(MANIFEST_FORMAT);
    expect(onDisk.corpusHash).toBe(corpus.hash);
    expect(onDisk.corpusPath).toBe(CORPUS_PATH);
    expect(onDisk.papers).toBe(224);
    expect(onDisk.embedder).toBeNull();
    expect(onDisk.denseUnavailable).toBe('no model');
    const builtAt = Date.parse(onDisk.builtAt);
    expect(builtAt).toBeGreaterThanOrEqual(before);
    expect(builtAt).toBeLessThanOrEqual(after);
    expect(onDisk.buildMs).toBeGreaterThanOrEqual(0);
    expect(onDisk.buildMs).toBeLessThanOrEqual(after - before);
  });

  it('writes the parts and no vector folder, and leaves no temporary folder', async () => {
    const files = await readdir(indexDir);
    expect(files.sort()).toEqual([FILES.calibration, FILES.lexical, FILES.manifest, FILES.papers].sort());
    expect(await leftovers(indexDir)).toEqual([]);
  });

  it('loads back into the same papers and a working lexical index', async () => {
    const index = await loadIndex(indexDir);
    expect(index.manifest).toEqual(first.manifest);
    expect(index.papers).toEqual(corpus.papers);
    expect(index.vectors).toBeNull();
    expect(index.lexical.size).toBe(224);
    const target = corpus.papers[17]!;
    expect(index.lexical.search(target.title, 3)[0]!.id).toBe(target.id);
    expect(index.calibration).toMatchObject({ version: 4, dense: false, denseWeight: 0 });
    // The cover model reads the lexical signals only.
    expect(index.calibration.cover.model.weights).toHaveLength(7);
  });

  it('does nothing the second time: not rebuilt, no file touched', async () => {
    const times = await mtimes(indexDir);
    await sleep(20);
    const second = await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir, embedding: NO_MODEL });
    expect(second.rebuilt).toBe(false);
    expect(second.reason).toMatch(/up to date/);
    expect(second.manifest).toEqual(first.manifest);
    expect(await mtimes(indexDir)).toEqual(times);
  });

  it('rebuilds when forced', async () => {
    const oldManifest = await readManifest(indexDir);
    await sleep(5);
    const forced = await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir, embedding: NO_MODEL, force: true });
    expect(forced.rebuilt).toBe(true);
    expect(forced.reason).toMatch(/forced/);
    const newManifest = await readManifest(indexDir);
    expect(newManifest!.builtAt).not.toBe(oldManifest!.builtAt);
    expect(newManifest!.corpusHash).toBe(corpus.hash);
    expect(await leftovers(indexDir)).toEqual([]);
  });

  it('rebuilds when the manifest is corrupt', async () => {
    const dir = path.join(tmp, 'corrupt', 'index');
    await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir: dir, embedding: NO_MODEL });
    await writeFile(path.join(dir, FILES.manifest), '{ not json');
    expect(await readManifest(dir)).toBeNull();
    await expect(loadIndex(dir)).rejects.toThrow(/no usable index.*ingest/);
    const again = await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir: dir, embedding: NO_MODEL });
    expect(again.rebuilt).toBe(true);
    expect((await loadIndex(dir)).papers).toHaveLength(224);
  });

  it('repairs an index that lost a file: a complete manifest alone does not make it current', async () => {
    const dir = path.join(tmp, 'damaged', 'index');
    await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir: dir, embedding: NO_MODEL });
    await rm(path.join(dir, FILES.lexical));
    const again = await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir: dir, embedding: NO_MODEL });
    expect(again.rebuilt).toBe(true);
    expect(again.reason).toMatch(/damaged.*lexical\.bin/);
    expect((await loadIndex(dir)).lexical.size).toBe(224);
  });

  it('loadIndex explains a missing index', async () => {
    await expect(loadIndex(path.join(tmp, 'nowhere'))).rejects.toThrow(/no usable index/);
  });
});

describe('a changed corpus', () => {
  it('rebuilds with a reason about the corpus, and the new index serves the edit', async () => {
    const corpusFile = path.join(tmp, 'changing', 'papers.jsonl');
    const indexDir = path.join(tmp, 'changing', 'index');
    await mkdir(path.dirname(corpusFile), { recursive: true });
    await writeFile(corpusFile, toJsonl(corpus.papers));
    const original = await loadCorpus(corpusFile);
    expect(original.papers).toHaveLength(224);
    const built = await ingest({ corpus: original, corpusPath: corpusFile, indexDir, embedding: NO_MODEL });
    expect(built.rebuilt).toBe(true);
    expect((await ingest({ corpus: await loadCorpus(corpusFile), corpusPath: corpusFile, indexDir, embedding: NO_MODEL })).rebuilt).toBe(false);

    const edited = corpus.papers.map((p, i) => (i === 3 ? { ...p, abstract: `${p.abstract} Xylophonic resonance is new here.` } : p));
    await writeFile(corpusFile, toJsonl(edited));
    const changed = await loadCorpus(corpusFile);
    expect(changed.hash).not.toBe(original.hash);
    const result = await ingest({ corpus: changed, corpusPath: corpusFile, indexDir, embedding: NO_MODEL });
    expect(result.rebuilt).toBe(true);
    expect(result.reason).toMatch(/corpus/);
    expect(result.manifest.corpusHash).toBe(changed.hash);
    const index = await loadIndex(indexDir);
    expect(index.lexical.search('xylophonic resonance', 5)[0]!.id).toBe(corpus.papers[3]!.id);
    expect(index.papers[3]!.abstract).toMatch(/Xylophonic resonance is new here\.$/);
  });
});

describe('atomic swap', () => {
  let indexDir: string;
  let smaller: Corpus;

  beforeAll(async () => {
    indexDir = path.join(tmp, 'swap', 'index');
    await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir, embedding: NO_MODEL });
    const file = path.join(tmp, 'swap', 'smaller.jsonl');
    await writeFile(file, toJsonl(corpus.papers.slice(0, 200)));
    smaller = await loadCorpus(file);
  });

  it('keeps the previous index when the build fails before the swap', async () => {
    let builtDir = '';
    let builtHadManifest = false;
    const run = ingest({
      corpus: smaller,
      corpusPath: 'smaller.jsonl',
      indexDir,
      embedding: NO_MODEL,
      beforeSwap: async (dir) => {
        builtDir = dir;
        builtHadManifest = existsSync(path.join(dir, FILES.manifest));
        throw new Error('simulated crash before swap');
      },
    });
    await expect(run).rejects.toThrow('simulated crash before swap');
    expect(builtHadManifest).toBe(true);
    expect(path.dirname(builtDir)).toBe(path.dirname(indexDir));
    expect(existsSync(builtDir)).toBe(false);
    expect(await leftovers(indexDir)).toEqual([]);
    const index = await loadIndex(indexDir);
    expect(index.manifest.papers).toBe(224);
    expect(index.papers).toHaveLength(224);
    expect(index.manifest.corpusHash).toBe(corpus.hash);
  });

  it('then swaps the new index in on a clean run', async () => {
    const result = await ingest({ corpus: smaller, corpusPath: 'smaller.jsonl', indexDir, embedding: NO_MODEL });
    expect(result.rebuilt).toBe(true);
    expect((await loadIndex(indexDir)).papers).toHaveLength(200);
    expect(await leftovers(indexDir)).toEqual([]);
  });

  it('recovers an index left aside by a crash between the two renames (readManifest)', async () => {
    await rename(indexDir, backupDir(indexDir));
    expect(existsSync(indexDir)).toBe(false);
    const manifest = await readManifest(indexDir);
    expect(manifest?.papers).toBe(200);
    expect(existsSync(indexDir)).toBe(true);
    expect(existsSync(backupDir(indexDir))).toBe(false);
  });

  it('recovers it on loadIndex too', async () => {
    await rename(indexDir, backupDir(indexDir));
    const index = await loadIndex(indexDir);
    expect(index.papers).toHaveLength(200);
    expect(existsSync(backupDir(indexDir))).toBe(false);
  });

  it('ingest after such a crash sees the recovered index as current', async () => {
    await rename(indexDir, backupDir(indexDir));
    const result = await ingest({ corpus: smaller, corpusPath: 'smaller.jsonl', indexDir, embedding: NO_MODEL });
    expect(result.rebuilt).toBe(false);
    expect(existsSync(path.join(indexDir, FILES.manifest))).toBe(true);
  });

  it('does not restore a backup without a manifest, nor overwrite a live index', async () => {
    const dir = path.join(tmp, 'recover', 'index');
    await mkdir(backupDir(dir), { recursive: true });
    await recoverInterruptedSwap(dir);
    expect(existsSync(dir)).toBe(false);
    // A live index and a stale backup (crash after the second rename): the live one stays.
    await ingest({ corpus: smaller, corpusPath: 'smaller.jsonl', indexDir: dir, embedding: NO_MODEL });
    await mkdir(backupDir(dir), { recursive: true });
    await writeFile(path.join(backupDir(dir), FILES.manifest), '{}');
    await recoverInterruptedSwap(dir);
    expect((await readManifest(dir))?.papers).toBe(200);
    // The next build clears the stale backup.
    await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir: dir, embedding: NO_MODEL });
    expect(existsSync(backupDir(dir))).toBe(false);
    expect((await readManifest(dir))?.papers).toBe(224);
  });
});

describe('dense ingestion with the real ONNX runtime', () => {
  let modelsRoot: string;
  let modelId: string;
  let embedder: Embedder;
  let indexDir: string;
  let result: Awaited<ReturnType<typeof ingest>>;
  const progress: [number, number][] = [];

  beforeAll(async () => {
    modelsRoot = path.join(tmp, 'models');
    const texts = corpus.papers.flatMap((p) => [p.title, p.abstract]);
    ({ modelId } = await writeTinyModel(modelsRoot, texts, { dim: 64 }));
    const status = await loadTransformersEmbedder({ model: modelId, modelsDir: modelsRoot, allowRemote: false, pooling: 'cls', queryPrefix: '' });
    if (!status.embedder) throw new Error(`tiny model did not load: ${status.error}`);
    embedder = status.embedder;
    indexDir = path.join(tmp, 'dense', 'index');
    result = await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir, embedding: status, onProgress: (d, t) => progress.push([d, t]) });
  });

  it('loads the tiny model as a 64-dim embedder of unit vectors', async () => {
    expect(embedder.dim).toBe(64);
    expect(embedder.id).toContain(modelId);
    const [a, b] = await embedder.embedDocuments(['graph neural networks', 'bayesian optimization']);
    for (const v of [a!, b!]) {
      expect(v).toHaveLength(64);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    expect(a).not.toEqual(b);
  });

  it('records the embedder in the manifest', () => {
    expect(result.rebuilt).toBe(true);
    expect(result.manifest.embedder).toEqual({ id: embedder.id, dim: 64 });
    expect(result.manifest.denseUnavailable).toBeUndefined();
    expect(result.manifest.papers).toBe(224);
  });

  it('calibrates the support model with the dense signals, and learns the dense list’s weight in the fusion, when the index has vectors', async () => {
    const { calibration } = await loadIndex(indexDir);
    expect(calibration.dense).toBe(true);
    expect(calibration.cover.model.weights).toHaveLength(10);
    // Each weight tried is scored by the mean reciprocal rank of the made-up questions' papers; the best one is kept.
    const fusion = calibration.report.fusion;
    expect(Object.keys(fusion).map(Number).sort((a, b) => a - b)).toEqual(DEFAULT_CALIBRATION.denseWeights);
    for (const mrr of Object.values(fusion)) {
      expect(mrr).toBeGreaterThan(0);
      expect(mrr).toBeLessThanOrEqual(1);
    }
    expect(fusion[String(calibration.denseWeight)]).toBe(Math.max(...Object.values(fusion)));
  });

  it('reports embedding progress up to every paper', () => {
    expect(progress[0]).toEqual([0, 224]);
    expect(progress[progress.length - 1]).toEqual([224, 224]);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThan(progress[i - 1]![0]);
  });

  it('stores one 64-dim vector per paper in the vectra folder (224 papers: one shard)', async () => {
    const raw = JSON.parse(await readFile(path.join(indexDir, FILES.vectors, 'shard-0000', 'index.json'), 'utf8')) as {
      items: { vector: number[]; metadata: { id: string } }[];
    };
    expect(raw.items).toHaveLength(224);
    expect(new Set(raw.items.map((i) => i.metadata.id))).toEqual(new Set(corpus.papers.map((p) => p.id)));
    for (const item of raw.items) {
      expect(item.vector).toHaveLength(64);
      expect(Math.hypot(...item.vector)).toBeCloseTo(1, 4);
    }
  });

  it('loads a VectorStore that finds each paper from its own text', async () => {
    const index = await loadIndex(indexDir);
    expect(index.vectors).toBeInstanceOf(VectorStore);
    expect(await index.vectors!.size()).toBe(224);
    for (const p of corpus.papers.slice(0, 40)) {
      const hits = await index.vectors!.query(await embedder.embedQuery(`${p.title}. ${p.abstract}`), 5);
      expect(hits).toHaveLength(5);
      expect(hits[0]!.id, p.title).toBe(p.id);
      expect(hits[0]!.score).toBeCloseTo(1, 4);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    }
  });

  it('finds papers from their exact titles far above chance (a bag-of-words toy model)', async () => {
    const index = await loadIndex(indexDir);
    let first = 0;
    let top5 = 0;
    for (const p of corpus.papers) {
      const ids = (await index.vectors!.query(await embedder.embedQuery(p.title), 5)).map((h) => h.id);
      if (ids[0] === p.id) first++;
      if (ids.includes(p.id)) top5++;
    }
    // Chance would put the paper first about once in 224 queries.
    expect(first).toBeGreaterThan(224 * 0.4);
    expect(top5).toBeGreaterThan(224 * 0.6);
  });

  it('fuses lexical and dense lists in a HybridRetriever', async () => {
    const index = await loadIndex(indexDir);
    const retriever = new HybridRetriever({ papers: index.papers, lexical: index.lexical, dense: { embedder, store: index.vectors! } });
    expect(retriever.dense).toBe(true);
    // A rare word: the lexical list is short, so the dense list fills the rest of the top 20.
    const query = 'Chinchilla decoding';
    expect(index.lexical.search(query, 50).length).toBeLessThan(20);
    const hits = await retriever.search(query, 20);
    expect(hits).toHaveLength(20);
    // Some results come from both lists, some from the dense list only.
    expect(hits.some((h) => h.lexical !== null && h.dense !== null)).toBe(true);
    expect(hits.some((h) => h.lexical === null && h.dense !== null)).toBe(true);
    // Each fused score is the RRF of the ranks the two lists gave.
    for (const h of hits) {
      const expected = (h.lexical ? 1 / (60 + h.lexical.rank) : 0) + (h.dense ? 1 / (60 + h.dense.rank) : 0);
      expect(h.score).toBeCloseTo(expected, 12);
    }
    // And the order is the RRF order of the underlying lists.
    const lexical = index.lexical.search(query, 50);
    const dense = await index.vectors!.query(await embedder.embedQuery(query), 50);
    expect(hits.map((h) => h.paper.id)).toEqual(reciprocalRankFusion([lexical, dense]).slice(0, 20).map((h) => h.id));
    for (const h of hits) if (h.dense) expect(h.dense.score).toBe(dense[h.dense.rank - 1]!.score);
  });

  it('is up to date with the same embedder, and stale with another one', async () => {
    const same = await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir, embedding: { embedder } });
    expect(same.rebuilt).toBe(false);

    const texts = corpus.papers.flatMap((p) => [p.title, p.abstract]);
    const other = await writeTinyModel(modelsRoot, texts, { modelId: 'test/tiny-bert-b', dim: 32, seed: 7 });
    const status = await loadTransformersEmbedder({ model: other.modelId, modelsDir: modelsRoot, allowRemote: false, pooling: 'cls', queryPrefix: '' });
    expect(status.error).toBeUndefined();
    const changed = await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir, embedding: status });
    expect(changed.rebuilt).toBe(true);
    expect(changed.reason).toMatch(/embedder/);
    expect(changed.reason).toContain(embedder.id);
    expect(changed.manifest.embedder).toEqual({ id: status.embedder!.id, dim: 32 });
    const raw = JSON.parse(await readFile(path.join(indexDir, FILES.vectors, 'shard-0000', 'index.json'), 'utf8')) as { items: { vector: number[] }[] };
    expect(raw.items[0]!.vector).toHaveLength(32);

    const none = await ingest({ corpus, corpusPath: CORPUS_PATH, indexDir, embedding: NO_MODEL });
    expect(none.rebuilt).toBe(true);
    expect(none.reason).toMatch(/embedder.*none/);
    const index = await loadIndex(indexDir);
    expect(index.vectors).toBeNull();
    expect(existsSync(path.join(indexDir, FILES.vectors))).toBe(false);
  });

  it('explains a missing model and how to provide it', async () => {
    const empty = await mkdtemp(path.join(tmp, 'empty-models-'));
    const status = await loadTransformersEmbedder({ model: 'nope/missing', modelsDir: empty, allowRemote: false });
    expect(status.embedder).toBeNull();
    expect(status.error).toContain('nope/missing');
    expect(status.error).toContain(empty);
    expect(status.error).toMatch(/lexical/i);
    expect(status.error).toMatch(/ALLOW_REMOTE_MODELS|ingest/);
  });
});
