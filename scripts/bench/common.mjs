/** Small helpers of the benchmark: logging, rounding, sizes, percentiles. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const { percentile } = await tsImport('../../src/util/quantiles.ts', import.meta.url);
export { percentile };

export const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
export const round = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const errorText = (e) => (e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e)).slice(0, 2000);

/** Bytes of the files under `dir`. */
export async function dirBytes(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += await dirBytes(p);
    else if (entry.isFile()) total += (await stat(p)).size;
  }
  return total;
}
