#!/usr/bin/env node
// Compiles the Node entries (src/main.ts, the server; src/cli.ts; src/mcp.ts, the MCP server over stdio) with esbuild into dist/, so `npm start` runs
// plain JavaScript: no TypeScript compilation at every start (tsx costs about half a second).
// Dependencies stay external (node_modules). Skips the build when dist/ is newer than every source
// file; `--force` rebuilds. Runs on `npm install` (postinstall) and before `npm start`.
import { build } from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = ['main', 'cli', 'mcp'];
const outputs = entries.map((e) => join(root, 'dist', `${e}.js`));

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) t = Math.max(t, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return t;
}

const built = (() => {
  try {
    return Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  } catch {
    return 0;
  }
})();
const sources = Math.max(newest(join(root, 'src')), statSync(join(root, 'package.json')).mtimeMs);
if (process.argv.includes('--force') || built < sources) {
  const started = performance.now();
  await build({
    entryPoints: entries.map((e) => join(root, 'src', `${e}.ts`)),
    outdir: join(root, 'dist'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  console.error(`server: compiled src/main.ts, src/cli.ts and src/mcp.ts -> dist/ in ${(performance.now() - started).toFixed(0)} ms`);
}
