/**
 * The docs' benchmark regions, rendered from `bench/results.json` (what `npm run bench` writes) and
 * `bench/test-duration.json` (how long `npm test` takes here). Each renderer takes the parsed file
 * and returns Markdown; a figure missing from the data shows as "–".
 */
import { cell, fmt, mb, pair, secs, table } from '../bench/report.mjs';

/** Bytes as MB, or GB from 1 GiB on. */
const size = (bytes) => (typeof bytes === 'number' && bytes >= 2 ** 30 ? fmt(bytes / 2 ** 30, ' GB') : mb(bytes));

const RESULTS = 'bench/results.json';
const TEST_DURATION = 'bench/test-duration.json';

const bySize = (results) => results.sizes ?? [];
const papers = (s) => fmt(s.papers);
const size224 = (results) => bySize(results).find((s) => s.corpus?.kind === 'real') ?? bySize(results)[0];
const reqs = (r) => `${fmt(r.reqPerSec)} (${pair(r.p50, r.p99)})`;
const day = (iso) => (typeof iso === 'string' ? iso.slice(0, 10) : '–');

/** "2 min 5 s" from seconds. */
export function duration(seconds) {
  if (typeof seconds !== 'number') return '–';
  const s = Math.round(seconds);
  return s < 90 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The run the tables come from: when, which mode, on what machine. */
function run(r) {
  const m = r.machine ?? {};
  const load = m.loadAvg ? `, load average ${fmt(m.loadAvg.start)} at the start and ${fmt(m.loadAvg.end)} at the end` : '';
  return `Run of ${day(r.startedAt)} (\`${r.mode}\`, seed ${r.seed}, ${duration(r.durationS)}): ${m.cpus} × ${m.model} (shared), ${m.memGiB} GiB, Node ${m.node}${load}.${r.errors?.length ? ` ${r.errors.length} phase(s) failed: see \`${RESULTS}\`.` : ''}`;
}

function ingest(r) {
  return table(
    ['papers', 'corpus', 'ingest lexical', 'ingest + fake dense + calibration', 'ready: /health / after warm-up', 'RSS', 'index on disk: lexical / fake dense'],
    bySize(r).map((s) => [
      papers(s),
      s.corpus?.kind ?? '–',
      s.ingestLexicalError ? 'error' : secs(s.ingestLexicalMs),
      s.ingestDenseError ? 'error' : s.denseUnavailable ? 'n/a' : secs(s.ingestDenseMs),
      s.startupError ? 'error' : `${secs(s.startupMs)} / ${secs(s.readyMs)}`,
      fmt(s.rssMb, ' MB'),
      `${size(s.indexBytes)} / ${size(s.denseIndexBytes)}`,
    ]),
  );
}

function search(r) {
  return table(
    ['papers', 'HTTP search, 1 connection: req/s (p50 / p99)', '32 connections: req/s (p50 / p99)', 'chat first delta p50 / p95 (abstained)', 'in-process lexical p50 / p99', 'hybrid p50 / p99', 'dense scan p50 (plain-JS floor)'],
    bySize(r).map((s) => [
      papers(s),
      cell(s.search?.c1, reqs),
      cell(s.search?.c32, reqs),
      cell(s.chat, (c) => `${pair(c.ttfdP50, c.ttfdP95)} (${c.abstained}/${c.chats})`),
      cell(s.inProcess, (p) => pair(p.p50, p.p99)),
      cell(s.dense, (d) => pair(d.hybridP50, d.hybridP99)),
      cell(s.dense, (d) => `${fmt(d.p50, ' ms')} (${fmt(d.floorP50, ' ms')})`),
    ]),
  );
}

function denseServer(r) {
  return table(
    ['papers', 'ready: /health / after warm-up', 'RSS', 'index on disk', 'HTTP search, 1 connection: req/s (p50 / p99)'],
    bySize(r)
      .filter((s) => s.denseServer)
      .map((s) => [papers(s), cell(s.denseServer, (d) => `${secs(d.startupMs)} / ${secs(d.readyMs)}`), cell(s.denseServer, (d) => fmt(d.rssMb, ' MB')), size(s.denseIndexBytes), cell(s.denseServer?.searchC1, reqs)]),
  );
}

function realModel(r) {
  const rows = bySize(r).filter((s) => s.realModel && !s.realModel.skipped);
  if (!rows.length) return `No run with a real embedding model in \`${RESULTS}\`.`;
  return table(
    ['papers', 'model', 'ingest (lexical alone)', 'more per paper', 'embedding per paper', 'model load', 'index on disk'],
    rows.map((s) =>
      s.realModel.error
        ? [papers(s), 'error', '–', '–', '–', '–', '–']
        : [papers(s), `\`${r.settings?.realModel ?? s.realModel.model}\``, `${secs(s.realModel.ingestMs)} (${secs(s.ingestLexicalMs)})`, fmt(s.realModel.perDocMs, ' ms'), fmt(s.realModel.embedPerDocMs, ' ms'), secs(s.realModel.modelLoadMs), size(s.realModel.indexBytes)],
    ),
  );
}

function vectra(r) {
  if (!r.vectra?.length) return `No vectra comparison in \`${RESULTS}\`.`;
  return table(
    ['papers', 'vectra ingest', 'queries', 'vectra hybrid p50 / p99', 'our hybrid p50', 'vectra / ours'],
    r.vectra.map((v) => [fmt(v.papers), v.error ? 'error' : secs(v.ingestMs), fmt(v.queries), pair(v.p50, v.p99), fmt(v.oursHybridP50, ' ms'), v.ratio == null ? '–' : `${fmt(v.ratio)}×`]),
  );
}

function workers(r) {
  const rows = bySize(r).filter((s) => s.workersD1 || s.workersAssets);
  if (!rows.length) return `No Workers run in \`${RESULTS}\`.`;
  const c1 = (w) => (!w ? '–' : w.error ? 'error' : w.skipped ? 'skipped' : pair(w.searchC1?.p50, w.searchC1?.p99));
  return table(
    ['papers', '`assets` search p50 / p99', '`d1` search p50 / p99', 'Node search p50 / p99', 'D1 data: SQL, files, load'],
    rows.map((s) => [papers(s), c1(s.workersAssets), c1(s.workersD1), cell(s.search?.c1, (x) => pair(x.p50, x.p99)), cell(s.workersD1, (d) => `${size(d.sqlBytes)}, ${fmt(d.sqlFiles)}, ${secs(d.loadMs)}`)]),
  );
}

/** The README's start-up line: the real corpus's figures. */
function startup(r) {
  const s = size224(r);
  if (!s) return `No start-up figures in \`${RESULTS}\`.`;
  const pre = r.settings?.prestartMs;
  return `At ${fmt(s.papers)} papers the server answers \`/health\` ${secs(s.startupMs)} after \`node dist/main.js\` starts and is warmed up at ${secs(s.readyMs)}${typeof pre === 'number' ? `; \`npm start\` adds ${secs(pre)} (npm and the build check)` : ''} ([performance](docs/performance.md)).`;
}

function testDuration(t) {
  if (typeof t.seconds !== 'number') return `\`npm test\` takes: **not measured yet** (\`${TEST_DURATION}\` holds a placeholder; see [performance](docs/performance.md#how-long-npm-test-takes)).`;
  const m = t.machine ? ` on ${t.machine.cpus} × ${t.machine.model}, Node ${t.machine.node}` : '';
  return `\`npm test\` takes about ${duration(t.seconds)} here (wall clock, measured ${day(t.measured)}${m}).`;
}

/** Region name → the data file it is rendered from and its renderer. */
export const BENCH_REGIONS = {
  'bench-run': { source: RESULTS, render: run },
  'bench-ingest': { source: RESULTS, render: ingest },
  'bench-search': { source: RESULTS, render: search },
  'bench-dense-server': { source: RESULTS, render: denseServer },
  'bench-real-model': { source: RESULTS, render: realModel },
  'bench-vectra': { source: RESULTS, render: vectra },
  'bench-workers': { source: RESULTS, render: workers },
  startup: { source: RESULTS, render: startup },
  'test-duration': { source: TEST_DURATION, render: testDuration },
};
