#!/usr/bin/env node
// The build, each part only when its inputs changed: the page and widget (src/widget/ ->
// src/server/web-assets.generated.ts, scripts/build-web.mjs), then the Node entries (src/ -> dist/,
// scripts/build-server.mjs). Deciding costs a few stat calls in one process; esbuild is loaded only
// to build. `--force` rebuilds both. Runs on `npm install`, before `npm start`, `npm test`,
// `npm run ingest` and `npm run ask`; `npm run build` forces it.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const force = process.argv.includes('--force');
const at = (...p) => join(root, ...p);

/** Modification time of a file, 0 when it does not exist. */
const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
};
/** Newest modification time of the files under `dir`, but those under `skip`. */
function newest(dir, skip = null) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const parent = entry.parentPath ?? entry.path;
    if (entry.isFile() && !(skip && (parent + '/').startsWith(skip + '/'))) t = Math.max(t, statSync(join(parent, entry.name)).mtimeMs);
  }
  return t;
}

// The web build writes its output only when the text changed (so the server build below is not
// redone for nothing); this stamp records that it ran.
const webStamp = at('dist', '.web-assets.stamp');
const webInputs = Math.max(newest(at('src', 'widget')), mtime(at('scripts', 'build-web.mjs')), mtime(at('package.json')));
if (force || !mtime(at('src', 'server', 'web-assets.generated.ts')) || mtime(webStamp) < webInputs) {
  const { buildWeb } = await import('./build-web.mjs');
  await buildWeb();
  mkdirSync(at('dist'), { recursive: true });
  writeFileSync(webStamp, '');
}

const built = Math.min(mtime(at('dist', 'main.js')), mtime(at('dist', 'cli.js')), mtime(at('dist', 'mcp.js')));
// The browser code reaches the server only through the generated assets, which are under src/server/.
const serverInputs = Math.max(newest(at('src'), at('src', 'widget')), mtime(at('scripts', 'build-server.mjs')), mtime(at('package.json')));
if (force || built < serverInputs) {
  const { buildServer } = await import('./build-server.mjs');
  await buildServer();
}
