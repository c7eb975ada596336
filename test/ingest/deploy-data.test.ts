/**
 * `npm run deploy:data`: the SQL and NDJSON that load D1 and Vectorize, incremental by content
 * hash. The SQL runs for real in a local D1 (`wrangler d1 execute --local`), where each paper's
 * postings are its analyzed terms with their frequencies, as the Node index counts them, and the dictionary
 * the Worker scores with is whole. (test/worker/wrangler.test.ts runs the Worker on such a D1.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { planExport, type ExportPlan } from '../../src/ingest/deploy-data.js';
import { loadIndex, type LoadedIndex } from '../../src/platform/node/index-files.js';
import { ingest } from '../../src/ingest/ingest.js';
import { createFakeEmbedder } from '../../src/retrieval/fake-embedder.js';
import { chunkKey, type D1Pointer } from '../../src/platform/workers/d1-schema.js';
import { analyzeFields } from '../../src/retrieval/lexical/analyzer.js';
import { lexicalDictionary } from '../../src/retrieval/lexical/term-dictionary.js';
import { terms } from '../../src/retrieval/text.js';
import { D1_BINDING, D1_DATABASE } from '../helpers/wrangler.js';

const run = promisify(execFile);
const CORPUS = 'test/fixtures/tiny-corpus.jsonl';
let tmp: string;
let index: LoadedIndex;

async function buildIndex(name: string, corpusPath: string, dense: boolean): Promise<LoadedIndex> {
  const indexDir = join(tmp, name);
  const embedding = dense ? { embedder: createFakeEmbedder(16) } : { embedder: null, error: 'none' };
  await ingest({ corpus: await loadCorpus(corpusPath), corpusPath, indexDir, embedding });
  return loadIndex(indexDir);
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'deploy-data-'));
  index = await buildIndex('index', CORPUS, true);
}, 60_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The tiny corpus with its first paper's abstract edited (its id comes from its title) and its last one dropped. */
async function editedCorpus(): Promise<string> {
  const lines = (await readFile(CORPUS, 'utf8')).trim().split('\n');
  const first = JSON.parse(lines[0]!) as { abstract: string };
  lines[0] = JSON.stringify({ ...first, abstract: `${first.abstract} Revised after review.` });
  const path = join(tmp, 'edited.jsonl');
  await writeFile(path, `${lines.slice(0, -1).join('\n')}\n`);
  return path;
}

describe('planExport', () => {
  it('exports every paper and vector the first time, then nothing but the metadata', async () => {
    const first = await planExport(index, null);
    expect(first.counts).toEqual({ added: index.papers.length, changed: 0, removed: 0, unchanged: 0 });
    const sql = first.sql.map((f) => f.text).join('');
    expect(sql).toMatch(/CREATE TABLE IF NOT EXISTS postings/);
    expect(sql.match(/INSERT INTO papers \(/g)).toHaveLength(index.papers.length);
    const vectors = first.vectors.flatMap((f) => f.text.trim().split('\n').map((l) => JSON.parse(l) as { id: string; values: number[] }));
    expect(vectors.map((v) => v.id)).toEqual(index.papers.map((p) => p.id));
    expect(vectors[0]!.values).toHaveLength(16);

    const again = await planExport(index, first.state);
    expect(again.counts).toEqual({ added: 0, changed: 0, removed: 0, unchanged: index.papers.length });
    const againSql = again.sql.map((f) => f.text).join('');
    expect(againSql).not.toMatch(/INSERT INTO papers \(/);
    expect(againSql).not.toMatch(/DROP TABLE/); // incremental: the tables stay
    expect(againSql).not.toContain(`'dictionary:`); // nothing changed, so neither did the dictionary
    expect(again.vectors).toEqual([]);
  });

  it('escapes quotes and splits large exports into files within the size limit', async () => {
    const quoted = { ...index, papers: [{ ...index.papers[0]!, title: "It's a 'quoted' title" }, ...index.papers.slice(1)] };
    const plan = await planExport(quoted, null, { fileBytes: 20_000, dictionaryChunk: 10_000 });
    expect(plan.sql.length).toBeGreaterThan(2);
    for (const f of plan.sql.slice(1)) expect(f.text.length).toBeLessThanOrEqual(20_000 + 15_000); // one statement may start a file
    expect(plan.sql.map((f) => f.text).join('')).toContain(`"title":"It''s a ''quoted'' title"`); // inside the paper's JSON
  });
});

describe('the export in a local D1 (wrangler d1 execute --local)', () => {
  let config: string;
  const d1 = async (args: string[]) => {
    const { stdout } = await run(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'd1', 'execute', D1_DATABASE, '--local', '--persist-to', join(tmp, 'd1'), '-c', config, ...args], {
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  };
  const apply = async (plan: ExportPlan) => {
    const dir = await mkdtemp(join(tmp, 'sql-'));
    for (const f of plan.sql) {
      await writeFile(join(dir, f.name), f.text);
      await d1(['--file', join(dir, f.name)]);
    }
    expect((await readdir(dir)).length).toBe(plan.sql.length);
  };
  const query = async <T>(sql: string): Promise<T[]> => (JSON.parse(await d1(['--json', '--command', sql])) as { results: T[] }[])[0]!.results;

  beforeAll(async () => {
    config = join(tmp, 'wrangler.toml');
    await writeFile(config, ['name = "deploy-data-test"', 'compatibility_date = "2026-05-01"', ...D1_BINDING].join('\n'));
  });

  /** The dictionary D1 holds, reassembled from its chunks as the Worker does. */
  const storedDictionary = async () => {
    const pointer = JSON.parse((await query<{ value: string }>(`SELECT value FROM meta WHERE key = 'dictionary'`))[0]!.value) as D1Pointer;
    const chunks = await query<{ key: string; value: string }>(`SELECT key, value FROM meta WHERE key LIKE 'dictionary:%' ORDER BY key`);
    expect(chunks.map((c) => c.key)).toEqual(Array.from({ length: pointer.chunks }, (_, i) => chunkKey(pointer.hash, i))); // no stale chunks
    return JSON.parse(chunks.map((c) => c.value).join('')) as ReturnType<typeof lexicalDictionary>;
  };

  it('loads every paper with its postings; a second export after an edit changes only what changed', async () => {
    const first = await planExport(index, null, { dictionaryChunk: 2_000 }); // several chunks
    await apply(first);
    expect(await query<{ n: number }>('SELECT count(*) AS n FROM papers')).toEqual([{ n: index.papers.length }]);
    const target = index.papers[3]!;
    // The target's postings: each of its terms once, with its frequency in the title and the abstract.
    const postings = await query<{ term: string; tf_title: number; tf_abstract: number }>(
      `SELECT term, tf_title, tf_abstract FROM postings WHERE n = (SELECT n FROM papers WHERE id = '${target.id}') ORDER BY term`,
    );
    const f = analyzeFields(target);
    const count = (list: string[], t: string) => list.filter((x) => x === t).length;
    expect(postings).toEqual([...new Set([...f.titleTerms, ...f.abstractTerms])].sort().map((t) => ({ term: t, tf_title: count(f.titleTerms, t), tf_abstract: count(f.abstractTerms, t) })));
    const total = await query<{ n: number }>('SELECT count(*) AS n FROM postings');
    expect(total).toEqual([{ n: lexicalDictionary(index.papers).df.reduce((a, b) => a + b, 0) }]);
    const meta = await query<{ value: string }>(`SELECT value FROM meta WHERE key = 'calibration'`);
    expect(JSON.parse(meta[0]!.value)).toEqual(index.calibration);
    const stored = await storedDictionary();
    const { words: _words, ...dictionary } = stored as typeof stored & { words: unknown };
    expect(dictionary).toEqual(lexicalDictionary(index.papers));

    const edited = await buildIndex('edited', await editedCorpus(), true);
    const second = await planExport(edited, first.state);
    expect(second.counts).toEqual({ added: 0, changed: 1, removed: 1, unchanged: index.papers.length - 2 });
    expect(second.deleteVectorIds).toEqual([index.papers.at(-1)!.id]);
    await apply(second);
    expect(await query<{ n: number }>('SELECT count(*) AS n FROM papers')).toEqual([{ n: index.papers.length - 1 }]);
    expect(await query<{ n: number }>('SELECT count(*) AS n FROM postings')).toEqual([{ n: lexicalDictionary(edited.papers).df.reduce((a, b) => a + b, 0) }]);
    const revised = await query<{ id: string }>(`SELECT papers.id FROM postings JOIN papers ON papers.n = postings.n WHERE term = '${terms('revised')[0]}'`);
    expect(revised).toEqual([{ id: index.papers[0]!.id }]);
    // The document frequencies moved with the edit: the dictionary was replaced, the old one dropped.
    expect(second.state.dictionary).not.toBe(first.state.dictionary);
    const { words: _w, ...after } = (await storedDictionary()) as Awaited<ReturnType<typeof storedDictionary>> & { words: unknown };
    expect(after).toEqual(lexicalDictionary(edited.papers));
  }, 120_000);
});
