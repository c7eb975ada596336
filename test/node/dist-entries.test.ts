/**
 * The compiled entries that `npm start`, `npm run ingest` and `npm run ask` run (dist/, built by
 * scripts/build-server.mjs): the CLI does its job and exits, and starts no server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, makeDirs, type TestDirs } from '../helpers/app.js';

const run = promisify(execFile);
let dirs: TestDirs;

beforeAll(async () => {
  dirs = await makeDirs('dist-entries');
  await run(process.execPath, ['scripts/build-server.mjs']);
}, 60_000);
afterAll(async () => {
  await dirs?.cleanup();
});

describe('dist/cli.js', () => {
  it('ingests and exits, without starting the server it shares code with', async () => {
    const env = { ...baseEnv(dirs), CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl', PORT: '1' };
    const { stdout, stderr } = await run(process.execPath, ['dist/cli.js', 'ingest'], { env, timeout: 30_000 });
    expect(`${stdout}${stderr}`).toMatch(/index: built 30 papers/);
    expect(`${stdout}${stderr}`).not.toMatch(/serving on|port 1/);
  });

  it('answers a question from that index and exits', async () => {
    const env = { ...baseEnv(dirs), CORPUS_PATH: 'test/fixtures/tiny-corpus.jsonl' };
    const { stdout } = await run(process.execPath, ['dist/cli.js', 'ask', 'What is FT-PFN?'], { env, timeout: 30_000 });
    expect(stdout).toMatch(/\[1\]/);
  });
});
