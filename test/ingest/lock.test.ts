/**
 * Concurrent ingests of one folder: the second waits for the first and never fails mid-way, in one
 * process or in two; a lock left by a killed ingest does not block the next.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { ingest } from '../../src/ingest/ingest.js';
import { loadIndex } from '../../src/platform/node/index-files.js';
import { lockPath } from '../../src/ingest/lock.js';
import { baseEnv, makeDirs, type TestDirs } from '../helpers/app.js';

const run = promisify(execFile);
const CORPUS = 'test/fixtures/tiny-corpus.jsonl';
let dirs: TestDirs;

beforeEach(async () => {
  dirs = await makeDirs('lock');
});
afterEach(async () => {
  await dirs.cleanup();
});

const options = async (force = true) => ({ corpus: await loadCorpus(CORPUS), corpusPath: CORPUS, indexDir: dirs.indexDir, embedding: { embedder: null, error: 'none' } as const, force });

describe('concurrent ingests of one folder', () => {
  it('in one process: each forced rebuild waits its turn; all succeed and the index is whole', async () => {
    const waited: number[] = [];
    const results = await Promise.all(Array.from({ length: 4 }, async () => ingest({ ...(await options()), onWait: (pid) => waited.push(pid) })));
    expect(results.map((r) => r.rebuilt)).toEqual([true, true, true, true]);
    expect(waited.length).toBeGreaterThan(0);
    expect((await loadIndex(dirs.indexDir)).papers).toHaveLength(30);
    expect(existsSync(lockPath(dirs.indexDir))).toBe(false);
  });

  it('in two processes (npm run ingest -- --force twice at once), twice over: both exit 0 every time', async () => {
    const env = { ...baseEnv(dirs), CORPUS_PATH: CORPUS };
    for (let round = 0; round < 2; round++) {
      const both = await Promise.allSettled([0, 1].map(() => run(process.execPath, ['dist/cli.js', 'ingest', '--force'], { env, timeout: 30_000 })));
      expect(both.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok']);
    }
    expect((await loadIndex(dirs.indexDir)).papers).toHaveLength(30);
  }, 120_000);

  it('waits for an ingest that is building, and takes over when that one is killed mid-build', async () => {
    const hung = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/ingest-then-hang.ts', CORPUS, dirs.indexDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => hung.stdout!.on('data', (d: Buffer) => /building/.test(d.toString()) && r()));
    let finished = false;
    const second = ingest({ ...(await options()), onWait: () => {} }).then((r) => ((finished = true), r));
    await new Promise((r) => setTimeout(r, 500));
    expect(finished).toBe(false); // it waits: the first still holds the folder
    hung.kill('SIGKILL');
    expect((await second).rebuilt).toBe(true);
    expect((await loadIndex(dirs.indexDir)).papers).toHaveLength(30);
  }, 60_000);

  it('is not blocked by a lock file whose process is gone', async () => {
    await writeFile(lockPath(dirs.indexDir), '2147483646');
    expect((await ingest(await options())).rebuilt).toBe(true);
  });
});
