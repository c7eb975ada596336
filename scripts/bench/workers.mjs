/** The Worker under `wrangler dev` (workerd from npm, local D1), searched as the Node server is. */
import { readdir, stat, writeFile, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { round, sleep } from './common.mjs';
import { searchLoad } from './http-load.mjs';
import { REPO } from './options.mjs';
import { appEnv, freePort, nodeScriptArgs, runNode, spawnTracked, stopChild, tail } from './processes.mjs';

const WRANGLER = join(REPO, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const ASSET_LIMIT_BYTES = 25 * 1048576;
const wranglerEnv = () => ({ ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' });

/**
 * The Worker under `wrangler dev` on the index in `indexDir`, in D1 mode (exported with npm run
 * deploy:data, the SQL loaded into a local D1 with wrangler d1 execute --local) or bundled (the
 * index folder as static assets), then POST /api/search at one connection for `seconds`, as for
 * Node. Its files go in a folder under `workDir`.
 */
export async function workersSearch(indexDir, bodies, storage, { workDir, seconds }) {
  if (storage === 'assets') {
    // Cloudflare refuses static assets over 25 MiB (wrangler dev too): past that, D1 mode only.
    for (const f of await readdir(indexDir)) {
      const { size } = await stat(join(indexDir, f));
      if (size > ASSET_LIMIT_BYTES) return { skipped: `${f} is ${round(size / 1048576)} MB, past the 25 MiB static-asset limit` };
    }
  }
  const dir = await mkdtemp(join(workDir, `workers-${storage}-`));
  const config = join(dir, 'wrangler.toml');
  const binding = storage === 'd1'
    ? ['[[d1_databases]]', 'binding = "DB"', 'database_name = "papers"', 'database_id = "00000000-0000-0000-0000-000000000000"']
    : ['[assets]', `directory = "${indexDir}"`, 'binding = "ASSETS"', 'run_worker_first = true'];
  await writeFile(config, [
    'name = "paper-chat-bench"', `main = "${join(REPO, 'src', 'worker.ts')}"`, 'compatibility_date = "2026-05-01"', 'compatibility_flags = ["nodejs_compat"]',
    '[[rules]]', 'type = "Text"', 'globs = ["**/*.txt"]', 'fallthrough = true',
    ...binding,
    '[vars]', `INDEX_STORAGE = "${storage}"`, 'RATE_LIMIT_PER_MINUTE = "0"', 'ALLOWED_ORIGINS = ""',
  ].join('\n'));
  const persist = join(dir, 'state');
  const loaded = storage === 'd1' ? await loadLocalD1(indexDir, dir, config, persist) : {};
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnTracked(process.execPath, [WRANGLER, 'dev', '-c', config, '--port', String(port), '--ip', '127.0.0.1', '--persist-to', persist], { env: wranglerEnv() });
  const err = tail();
  child.stdout.on('data', (d) => err.push(String(d)));
  child.stderr.on('data', (d) => err.push(String(d)));
  try {
    const start = performance.now();
    let health = null;
    while (!health) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${err.text.slice(-500)}`);
      if (performance.now() - start > 120_000) throw new Error('wrangler dev was not ready in 120 s');
      health = await fetch(`${url}/health`).then((r) => (r.ok ? r.json() : null), () => null);
      if (!health) await sleep(100);
    }
    const firstHealthMs = performance.now() - start;
    if (health.papers == null) throw new Error(`unexpected /health: ${JSON.stringify(health)}`);
    const search = await searchLoad(url, bodies, 1, seconds);
    return { papers: health.papers, ...loaded, firstHealthMs: Math.round(firstHealthMs), searchC1: search };
  } finally {
    await stopChild(child);
  }
}

/** `npm run deploy:data` on the index, its SQL run into a local D1 in order: what was loaded, and how long it took. */
async function loadLocalD1(indexDir, dir, config, persist) {
  const out = join(dir, 'deploy');
  const exported = await runNode([...nodeScriptArgs('deploy:data'), '--out', out, '--full'], { env: appEnv({ INDEX_DIR: indexDir }), timeoutMs: 30 * 60_000 });
  if (exported.code !== 0) throw new Error(`deploy:data failed: ${exported.stderr.slice(-500)}`);
  const files = (await readdir(out)).filter((f) => f.endsWith('.sql')).sort((a, b) => (a === 'schema.sql' ? -1 : b === 'schema.sql' ? 1 : a < b ? -1 : 1));
  const t0 = performance.now();
  for (const f of files) {
    const r = await runNode([WRANGLER, 'd1', 'execute', 'papers', '--local', '--persist-to', persist, '-c', config, '--file', join(out, f)], { env: wranglerEnv(), timeoutMs: 30 * 60_000 });
    if (r.code !== 0) throw new Error(`wrangler d1 execute ${f} failed: ${r.stderr.slice(-500)}`);
  }
  return { sqlFiles: files.length, sqlBytes: (await Promise.all(files.map((f) => stat(join(out, f)).then((s) => s.size)))).reduce((a, b) => a + b, 0), loadMs: Math.round(performance.now() - t0) };
}
