#!/usr/bin/env node
// Compiles the Node entries (src/main.ts, the server; src/cli.ts; src/mcp.ts, the MCP server over stdio) with esbuild into dist/ (the code
// they share, and what they load on demand, in dist/chunks/), so `npm start` runs plain JavaScript:
// no TypeScript compilation at every start (tsx costs about half a second).
// Dependencies stay external (node_modules). scripts/build.mjs runs it when a source changed; run
// directly, it always compiles.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = ['main', 'cli', 'mcp'];

export async function buildServer() {
  const started = performance.now();
  // dist/main.js loads the server's code (a chunk) only after its signal handlers are in place.
  // Chunks of earlier builds go first.
  rmSync(join(root, 'dist', 'chunks'), { recursive: true, force: true });
  await build({
    entryPoints: entries.map((e) => join(root, 'src', `${e}.ts`)),
    outdir: join(root, 'dist'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  console.error(`server: compiled src/main.ts, src/cli.ts and src/mcp.ts -> dist/ in ${(performance.now() - started).toFixed(0)} ms`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await buildServer();
