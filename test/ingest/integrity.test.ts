/**
 * An index whose files parse but disagree (with their manifest, or with each other) is never
 * served: loading refuses it, the server rebuilds it at start, and `/health` answers 503
 * `degraded` when a real search through the index fails.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnswerer } from '../../src/answer/answerer.js';
import { loadCorpus } from '../../src/corpus/load.js';
import { ingest } from '../../src/ingest/ingest.js';
import { IndexIntegrityError, loadIndex } from '../../src/platform/node/index-files.js';
import type { Paper } from '../../src/corpus/schema.js';
import { LexicalIndex } from '../../src/retrieval/lexical/lexical-index.js';
import { createFakeEmbedder } from '../../src/retrieval/fake-embedder.js';
import { HybridRetriever } from '../../src/retrieval/retriever.js';
import { VectorStore } from '../../src/platform/node/vector-store.js';
import { TermStats } from '../../src/retrieval/term-stats.js';
import { createApp } from '../../src/server/app.js';
import * as assets from '../../src/server/web-assets.generated.js';
import { baseEnv, logSink, makeDirs, start, type TestDirs } from '../helpers/app.js';

const CORPUS = 'test/fixtures/tiny-corpus.jsonl';
let dirs: TestDirs;

beforeEach(async () => {
  dirs = await makeDirs('integrity');
  await ingest({ corpus: await loadCorpus(CORPUS), corpusPath: CORPUS, indexDir: dirs.indexDir, embedding: { embedder: null, error: 'none' } });
});
afterEach(async () => {
  await dirs.cleanup();
});

const rewrite = async (file: string, edit: (json: any) => unknown) => {
  const path = join(dirs.indexDir, file);
  await writeFile(path, JSON.stringify(edit(JSON.parse(await readFile(path, 'utf8')))));
};

describe('loading an index that disagrees with itself', () => {
  it.each([
    ['papers.json with a paper dropped', () => rewrite('papers.json', (p: unknown[]) => p.slice(1))],
    ['papers.json emptied', () => rewrite('papers.json', () => [])],
    [
      'lexical.bin swapped for an index of other papers',
      async () => {
        const papers = JSON.parse(await readFile(join(dirs.indexDir, 'papers.json'), 'utf8')) as Paper[];
        await writeFile(join(dirs.indexDir, 'lexical.bin'), LexicalIndex.build(papers.slice(2)).toBinary());
      },
    ],
    ['lexical.bin truncated', async () => writeFile(join(dirs.indexDir, 'lexical.bin'), (await readFile(join(dirs.indexDir, 'lexical.bin'))).subarray(0, 500))],
    ['calibration.json edited', () => rewrite('calibration.json', (c: { related: number }) => ({ ...c, related: 0 }))],
  ])('refuses %s', async (_name, tamper) => {
    await tamper();
    await expect(loadIndex(dirs.indexDir)).rejects.toBeInstanceOf(IndexIntegrityError);
  });

  it('refuses vectors.f32 with one value changed (same size: only its hash tells)', async () => {
    const dense = join(dirs.indexDir, '..', `${dirs.indexDir.split('/').pop()}-dense`);
    await ingest({ corpus: await loadCorpus(CORPUS), corpusPath: CORPUS, indexDir: dense, embedding: { embedder: createFakeEmbedder(16) } });
    try {
      expect((await loadIndex(dense)).vectors).not.toBeNull();
      const path = join(dense, 'vectors', 'vectors.f32');
      const bytes = await readFile(path);
      bytes.writeFloatLE(0.5, 64);
      await writeFile(path, bytes);
      await expect(loadIndex(dense)).rejects.toBeInstanceOf(IndexIntegrityError);
    } finally {
      await rm(dense, { recursive: true, force: true });
    }
  });

  it('loads the untouched index', async () => {
    const index = await loadIndex(dirs.indexDir);
    expect(index.papers).toHaveLength(index.manifest.papers);
  });

  it('is rebuilt by the server at start, which then serves it healthy', async () => {
    await rewrite('papers.json', (p: unknown[]) => p.slice(1));
    const sink = logSink();
    const app = await start({ ...baseEnv(dirs), CORPUS_PATH: CORPUS }, sink);
    try {
      expect(sink.lines.join('\n')).toMatch(/could not be read .*does not match its manifest.*rebuilding it/);
      const res = await fetch(`${app.url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', papers: 30 });
    } finally {
      await app.close();
    }
  });
});

describe('/health runs a real search', () => {
  type Index = Awaited<ReturnType<typeof loadIndex>>;
  /** The app over the built index, searched through the retriever `make` builds from it. */
  async function appWith(make: (index: Index) => HybridRetriever | Promise<HybridRetriever>) {
    const index = await loadIndex(dirs.indexDir);
    const retriever = await make(index);
    const answerer = createAnswerer({ retriever, stats: new TermStats(index.lexical), calibration: index.calibration, llm: null });
    return createApp({ retriever, answerer, embedder: { id: 'none' }, assets, log: () => {} });
  }

  it('is ok when a paper’s title finds that paper', async () => {
    const app = await appWith(({ papers, lexical }) => new HybridRetriever({ papers, lexical }));
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it.each([
    [
      'search throws (vectors of another dimension than the embedder’s)',
      async ({ papers, lexical }: Index) => {
        const unit16 = Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0));
        const store = await VectorStore.build(join(dirs.indexDir, 'odd-vectors'), papers.map((p) => ({ id: p.id, vector: unit16 })));
        return new HybridRetriever({ papers, lexical, dense: { embedder: createFakeEmbedder(8), store } });
      },
    ],
    ['search does not find the paper (a BM25 index of other papers)', ({ papers }: Index) => new HybridRetriever({ papers, lexical: LexicalIndex.build(papers.slice(1)) })],
  ])('is 503 degraded, saying what to do, when %s', async (_name, make) => {
    const res = await (await appWith(make)).request('/health');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; problem: string };
    expect(body.status).toBe('degraded');
    expect(body.problem).toMatch(/npm run ingest/);
    expect(JSON.stringify(body)).not.toMatch(/dimension|\/tmp\//); // no internals, no paths
  });
});
