/** Phases run as child processes: `npm run ingest`, and scripts/bench-inprocess.ts. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appEnv, INGEST_ARGS, runNode } from './processes.mjs';

/** `npm run ingest -- --force` with this corpus, index folder and embedding model; wall clock and manifest. */
export async function ingest({ corpusPath, indexDir, model, modelsDir, timeoutMs }) {
  const env = appEnv({ CORPUS_PATH: corpusPath, INDEX_DIR: indexDir, EMBEDDING_MODEL: model, MODELS_DIR: modelsDir });
  const run = await runNode([...INGEST_ARGS, '--force'], { env, timeoutMs });
  if (run.timedOut) throw new Error(`ingest with ${model} did not finish within ${Math.round(timeoutMs / 1000)} s`);
  if (run.code !== 0) throw new Error(`ingest with ${model} exited with ${run.code ?? run.signal}: ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  const manifest = JSON.parse(await readFile(join(indexDir, 'manifest.json'), 'utf8'));
  const warning = /warning: (.*)/.exec(run.stderr)?.[1] ?? null;
  return { ms: Math.round(run.ms), buildMs: manifest.buildMs ?? null, manifest, warning };
}

/** Runs scripts/bench-inprocess.ts; returns its result line, or throws with its error (partial progress attached). */
export async function inProcess(args, { timeoutMs = 60 * 60_000, onProgress } = {}) {
  let result = null;
  const progress = [];
  const run = await runNode(['--import', 'tsx', 'scripts/bench-inprocess.ts', ...args], {
    env: appEnv({}),
    timeoutMs,
    onLine: (line) => {
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line);
        if (parsed.result) result = parsed.result;
        if (parsed.progress) {
          progress.push(parsed.progress);
          onProgress?.(parsed.progress);
        }
      } catch {
        // not ours
      }
    },
  });
  if (result && run.code === 0) return { result, progress, ms: run.ms };
  const why = run.timedOut ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : `exited with ${run.code ?? run.signal}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  const e = new Error(`bench-inprocess ${args[0]} ${why}`);
  e.progress = progress;
  e.timedOut = run.timedOut;
  throw e;
}
