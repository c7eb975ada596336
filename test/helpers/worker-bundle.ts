/**
 * src/worker.ts bundled as for Cloudflare Workers (a browser-like platform: esbuild refuses node:
 * imports there) and imported as a module, for the tests that run the Worker's fetch in Node.
 */
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BundledWorker {
  fetch(req: Request, env: unknown, ctx: unknown): Promise<Response>;
}

/** Writes the bundle to `dir/worker.mjs`; `importWorker` loads a fresh instance of it (a new isolate's state). */
export async function bundleWorker(dir: string): Promise<string> {
  const result = await build({
    entryPoints: ['src/worker.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    loader: { '.txt': 'text' },
    write: false,
    logLevel: 'silent',
  });
  const out = join(dir, 'worker.mjs');
  await writeFile(out, result.outputFiles[0]!.text);
  return out;
}

let instances = 0;
/** A fresh module instance of the bundle: module state (the built app) starts empty, as in a new isolate. */
export async function importWorker(file: string): Promise<BundledWorker> {
  return (await import(`${pathToFileURL(file).href}?instance=${++instances}`)).default as BundledWorker;
}
