/** The benchmark's command line and fixed settings (see scripts/bench.mjs for the options). */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FULL_SIZES = [224, 1000, 10000, 100000];
export const QUICK_SIZES = [224, 1000];
/** The size served by the real corpus (every other size is synthetic). */
export const REAL_SIZE = 224;
export const FAKE_MODEL = 'fake:384';
export const REAL_MODEL = 'Xenova/all-MiniLM-L6-v2';
/** A model that is not there: lexical-only ingestion. */
export const ABSENT_MODEL = 'bench/no-such-model';
/** vectra is stopped after this long (it is quadratic in the papers). */
export const VECTRA_CAP_MS = 300_000;
/** Seeded search questions per size. */
export const SEARCH_QUESTIONS = 200;

function parseSize(s) {
  const n = Number(s.trim().replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: bad size "${s}" (expected a positive integer, e.g. --sizes 224,10000)`);
    process.exit(2);
  }
  return n;
}

/** A list of sizes, "none" for none, or `fallback` when the option is absent. */
const sizeList = (value, fallback) => (value === 'none' ? [] : value ? value.split(',').map(parseSize) : fallback);

/** The run's options, from the command line; exits with 2 on a bad size. */
export function parseOptions(args = process.argv.slice(2)) {
  const { values: opts } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: join(REPO, 'bench', 'results.json') },
      real: { type: 'boolean' },
      'no-real': { type: 'boolean' },
      vectra: { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const quick = opts.quick;
  return {
    quick,
    seed: Number(opts.seed) >>> 0,
    out: opts.out,
    sizes: opts.sizes ? opts.sizes.split(',').map(parseSize) : quick ? QUICK_SIZES : FULL_SIZES,
    withReal: opts['no-real'] ? false : (opts.real ?? true),
    vectraSizes: sizeList(opts.vectra, quick ? [224] : [224, 2000]),
    workerSizes: sizeList(opts.workers, quick ? [224] : [224, 10000]),
    durations: quick ? { search: 2, chats: 30 } : { search: 5, chats: 30 },
  };
}
