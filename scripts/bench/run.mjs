/**
 * A benchmark run: the results record (bench/results.json), each phase timed on its own and
 * recorded as an error when it fails, the sizes in turn, then vectra; saved after every size.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorText, log, round } from './common.mjs';
import { FAKE_MODEL, REAL_MODEL, REPO, SEARCH_QUESTIONS } from './options.mjs';
import { cleanUp, INGEST_ARGS, installCleanup, pkg, removeAtExit, runShell, START_ARGS } from './processes.mjs';
import { measureSize } from './size.mjs';
import { measureVectra } from './vectra.mjs';

/** Runs the benchmark `options` describe (see options.mjs); resolves with the results and whether Ctrl-C cut it short. */
export async function runBenchmark(options) {
  const { quick, seed, sizes, withReal, vectraSizes, durations } = options;
  const failures = [];
  const results = {
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      memGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      // 1-minute load average: other work on the machine skews every figure.
      loadAvg: { start: round(os.loadavg()[0], 2), end: null },
    },
    seed,
    mode: quick ? 'quick' : 'full',
    startedAt: new Date().toISOString(),
    finishedAt: null,
    durationS: null,
    settings: { startCommand: `node ${START_ARGS.join(' ')}`, ingestCommand: `node ${INGEST_ARGS.join(' ')} --force`, sizes, searchSeconds: durations.search, searchQuestions: SEARCH_QUESTIONS, chats: durations.chats, fakeModel: FAKE_MODEL, realModel: withReal ? REAL_MODEL : null, vectraSizes },
    notes: [],
    sizes: [],
    vectra: [],
    errors: failures,
  };

  /** Runs one phase: its result, or `{ error }` recorded (and the run marked failed). */
  async function phase(target, name, fn) {
    const t0 = performance.now();
    try {
      const value = await fn();
      log(`${target.papers ?? ''} ${name}: done in ${round((performance.now() - t0) / 1000)} s`);
      return value;
    } catch (e) {
      const error = errorText(e);
      failures.push({ papers: target.papers ?? null, phase: name, error });
      log(`${target.papers ?? ''} ${name}: FAILED: ${error}`);
      return { error };
    }
  }

  const saveResults = () => {
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, JSON.stringify(results, null, 2) + '\n');
  };

  const started = performance.now();
  const workDir = await mkdtemp(join(os.tmpdir(), 'paper-chat-bench-'));
  removeAtExit(workDir);
  const emptyModels = join(workDir, 'no-models');
  mkdirSync(emptyModels);
  const realModelsDir = resolve(REPO, process.env.MODELS_DIR || 'models');
  const realModelFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'].map((f) => join(realModelsDir, REAL_MODEL, f));
  const run = { options, phase, failures, results, workDir, emptyModels, realModelsDir, realModelFiles };

  let interrupted = false;
  installCleanup(() => {
    interrupted = true;
    log('interrupted: stopping servers and removing temporary folders');
    results.notes.push('interrupted (Ctrl-C): the figures are partial');
    void cleanUp().finally(() => {
      try {
        saveResults();
      } catch {
        // nothing more to do
      }
      process.exit(130);
    });
  });

  log(`${quick ? 'quick' : 'full'} run, sizes ${sizes.join(', ')}, seed ${seed}; temporary folder ${workDir}`);

  // `npm start` runs "prestart" first (the page bundle and the compiled server, skipped when current):
  // once here, untimed, so every measured start runs what `npm start` would run.
  if (pkg.scripts?.prestart) {
    const prestart = await phase({}, 'prestart', () => runShell('prestart', pkg.scripts.prestart));
    results.settings.prestartMs = prestart.ms ?? null;
  }

  // Each size into its own entry of `into`, saved as soon as it is measured.
  const measureEach = async (list, into, measure) => {
    for (const n of list) {
      if (interrupted) break;
      const entry = { papers: n };
      into.push(entry);
      await measure(run, entry);
      saveResults();
    }
  };
  await measureEach(sizes, results.sizes, measureSize);
  await measureEach(vectraSizes, results.vectra, measureVectra);

  results.finishedAt = new Date().toISOString();
  results.machine.loadAvg.end = round(os.loadavg()[0], 2);
  results.durationS = round((performance.now() - started) / 1000, 1);
  if (results.sizes.some((s) => s.denseUnavailable)) {
    results.notes.push(`the CLI built no ${FAKE_MODEL} vectors (its ingest output says why): the dense ingest and dense server figures are missing; the in-process dense figures use vectors embedded there by the same fake embedder.`);
  }
  saveResults();
  await cleanUp();
  return { results, interrupted };
}
