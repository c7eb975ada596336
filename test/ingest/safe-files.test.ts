/**
 * Ingestion never deletes what it did not build: a foreign INDEX_DIR is refused (before any work,
 * with a message naming it), an empty or earlier-format index folder is replaced, and the build
 * folder a killed ingest leaves behind is swept by the next one (a live build is not).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus, type Corpus } from '../../src/corpus/load.js';
import { ingest } from '../../src/ingest/ingest.js';
import { buildPrefix, ForeignFolderError, isOwnIndexFolder, sweepStaleBuilds } from '../../src/platform/node/index-files.js';

const CORPUS = 'test/fixtures/tiny-corpus.jsonl';
let root: string;
let corpus: Corpus;
const lexicalOnly = { embedder: null, error: 'no model in this test' } as const;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'safe-files-'));
  corpus = await loadCorpus(CORPUS);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('INDEX_DIR that is not an index', () => {
  it('is refused with a message naming it, and nothing in it is touched', async () => {
    const dir = join(root, 'notes');
    await mkdir(dir);
    await writeFile(join(dir, 'n.txt'), 'keep');
    const run = ingest({ corpus, corpusPath: CORPUS, indexDir: dir, embedding: lexicalOnly });
    await expect(run).rejects.toBeInstanceOf(ForeignFolderError);
    await expect(run).rejects.toThrow(dir);
    expect(await readdir(dir)).toEqual(['n.txt']);
    // Nothing was built beside it either.
    expect((await readdir(root)).filter((n) => n.startsWith(buildPrefix(dir)))).toEqual([]);
  });

  it('a foreign folder where the backup goes is refused too', async () => {
    const dir = join(root, 'index');
    await ingest({ corpus, corpusPath: CORPUS, indexDir: dir, embedding: lexicalOnly });
    await mkdir(`${dir}.previous`);
    await writeFile(join(`${dir}.previous`, 'mine.txt'), 'keep');
    await expect(ingest({ corpus, corpusPath: CORPUS, indexDir: dir, embedding: lexicalOnly, force: true })).rejects.toThrow(`${dir}.previous`);
    expect(await readdir(`${dir}.previous`)).toEqual(['mine.txt']);
  });

  it('an empty folder, a missing one, and an index of an earlier format are replaced', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    await ingest({ corpus, corpusPath: CORPUS, indexDir: empty, embedding: lexicalOnly });
    expect(isOwnIndexFolder(empty)).toBe(true);
    await ingest({ corpus, corpusPath: CORPUS, indexDir: join(root, 'new', 'index'), embedding: lexicalOnly });
    const old = join(root, 'old');
    await mkdir(old);
    await writeFile(join(old, 'manifest.json'), JSON.stringify({ format: 1, corpusHash: 'abc', builtAt: '2026-01-01T00:00:00Z' }));
    await writeFile(join(old, 'papers.json'), '[]');
    const r = await ingest({ corpus, corpusPath: CORPUS, indexDir: old, embedding: lexicalOnly });
    expect(r.rebuilt).toBe(true);
  });
});

describe('a killed ingest', () => {
  it('leaves its build folder, which the next ingest sweeps; a build in progress is left alone', async () => {
    const indexDir = join(root, 'index');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/ingest-then-hang.ts', CORPUS, indexDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const building = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /building (.+)\n/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`the ingest exited (${code}) before building`)));
    });
    expect(existsSync(building)).toBe(true);
    // While its builder lives, the folder is a build in progress: not swept.
    expect(await sweepStaleBuilds(indexDir)).toEqual([]);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(building)).toBe(true); // left behind by the kill
    const r = await ingest({ corpus, corpusPath: CORPUS, indexDir, embedding: lexicalOnly });
    expect(r.rebuilt).toBe(true);
    expect(existsSync(building)).toBe(false);
    expect((await readdir(root)).sort()).toEqual(['index']);
  }, 60_000);
});
