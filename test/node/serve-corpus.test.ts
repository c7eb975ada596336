import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { ingest } from '../../src/ingest/ingest.js';
import { startServer, type RunningServer } from '../../src/node.js';

// `npm run ingest -- --corpus FILE` then `npm start` must serve FILE, not silently rebuild the
// default corpus over it; an explicit CORPUS_PATH still wins.
describe('which corpus npm start serves', () => {
  let tmp: string;
  const servers: RunningServer[] = [];
  const papers = [
    { title: 'Sparse Mixtures of Experts at Scale', abstract: 'We route tokens to a few experts and train models with a trillion parameters.' },
    { title: 'Contrastive Learning of Audio Embeddings', abstract: 'We learn audio embeddings by contrasting clips, improving retrieval of sounds.' },
  ];
  const health = async (s: RunningServer) => (await (await fetch(`${s.url}/health`)).json()) as { papers: number };
  const env = (extra: Record<string, string>) => {
    const { CORPUS_PATH: _ignored, ...rest } = process.env;
    return { ...rest, PORT: '0', HOST: '127.0.0.1', INDEX_DIR: join(tmp, 'index'), MODELS_DIR: join(tmp, 'models'), ALLOW_REMOTE_MODELS: 'false', ...extra };
  };

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'paper-chat-corpus-'));
    const file = join(tmp, 'mine.jsonl');
    await writeFile(file, papers.map((p) => JSON.stringify(p)).join('\n'));
    await ingest({ corpus: await loadCorpus(file), corpusPath: file, indexDir: join(tmp, 'index'), embedding: { embedder: null, error: 'none' } });
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('serves the corpus the index was last built from when CORPUS_PATH is not set', async () => {
    const logs: string[] = [];
    const s = await startServer(env({}), (m) => logs.push(m));
    servers.push(s);
    expect((await health(s)).papers).toBe(2);
    expect(logs.join('\n')).toMatch(/serving .*mine\.jsonl/);
  });

  it('serves CORPUS_PATH when it is set', async () => {
    const s = await startServer(env({ CORPUS_PATH: 'data/papers.txt' }), () => {});
    servers.push(s);
    expect((await health(s)).papers).toBe(224);
  });
});
