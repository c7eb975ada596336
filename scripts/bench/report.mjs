/** The Markdown report of a run's results (what `npm run bench` prints). */
import { relative, resolve } from 'node:path';
import { REAL_MODEL } from './options.mjs';

export const fmt = (v, unit = '') => (v === null || v === undefined ? '–' : typeof v === 'number' ? `${v.toLocaleString('en-US', { maximumFractionDigits: v < 10 ? 2 : v < 100 ? 1 : 0 })}${unit}` : String(v));
export const secs = (ms) => (typeof ms === 'number' ? fmt(ms / 1000, ' s') : ms === null || ms === undefined ? '–' : String(ms));
export const mb = (bytes) => (typeof bytes === 'number' ? fmt(bytes / 1048576, ' MB') : '–');
export const pair = (a, b, unit = ' ms') => (a == null && b == null ? '–' : `${fmt(a)} / ${fmt(b)}${unit}`);
export const cell = (obj, f) => (!obj ? '–' : obj.error ? 'error' : f(obj));
export const table = (h, rs) => [`| ${h.join(' | ')} |`, `|${h.map(() => '---').join('|')}|`, ...rs.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const HEAD = ['papers', 'ingest lexical', 'ingest dense (fake)', 'start-up (health / ready)', 'RSS', 'index', 'search c1 req/s', 'c1 p50 / p99', 'search c32 req/s', 'c32 p50 / p99', 'chat first delta p50 / p95', 'lexical p50 / p99 (in-process)', 'hybrid p50 / p99', 'dense store p50', 'floor p50', 'store / floor'];

const sizeRow = (s) => [
  fmt(s.papers),
  s.ingestLexicalError ? 'error' : secs(s.ingestLexicalMs),
  s.ingestDenseError ? 'error' : s.denseUnavailable ? 'n/a' : secs(s.ingestDenseMs),
  s.startupError ? 'error' : s.startupMs == null ? '–' : `${secs(s.startupMs)} / ${secs(s.readyMs)}`,
  fmt(s.rssMb, ' MB'),
  mb(s.indexBytes),
  cell(s.search?.c1, (r) => fmt(r.reqPerSec)),
  cell(s.search?.c1, (r) => pair(r.p50, r.p99)),
  cell(s.search?.c32, (r) => fmt(r.reqPerSec)),
  cell(s.search?.c32, (r) => pair(r.p50, r.p99)),
  cell(s.chat, (r) => `${pair(r.ttfdP50, r.ttfdP95)} (${r.abstained}/${r.chats} abstained)`),
  cell(s.inProcess, (r) => pair(r.p50, r.p99)),
  cell(s.dense, (r) => pair(r.hybridP50, r.hybridP99)),
  cell(s.dense, (r) => fmt(r.p50, ' ms')),
  cell(s.dense, (r) => fmt(r.floorP50, ' ms')),
  cell(s.dense, (r) => (r.ratio == null ? '–' : `${fmt(r.ratio)}×`)),
];

/** The notes under the table for one size: dense server, Worker, dense ingest, real model. */
function sizeNotes(s) {
  const lines = [];
  if (s.denseServer && !s.denseServer.error) {
    const d = s.denseServer;
    const startup = d.startupMs != null ? secs(d.startupMs) : `${secs(d.firstAnswerMs)} to a first /health answer (${d.health})`;
    lines.push(`- ${fmt(s.papers)} papers, fake dense server: start-up ${startup} / ready ${secs(d.readyMs)}, RSS ${fmt(d.rssMb, ' MB')}, index ${mb(s.denseIndexBytes)}, search c1 ${cell(d.searchC1, (r) => `${fmt(r.reqPerSec)} req/s, p50 / p99 ${pair(r.p50, r.p99)}`)}`);
  }
  if (s.workersD1 || s.workersAssets) {
    const c1 = (w) => (!w ? '–' : w.error ? `error: ${w.error.slice(0, 200)}` : w.skipped ? `skipped (${w.skipped})` : `${fmt(w.searchC1.reqPerSec)} req/s, p50 / p99 ${pair(w.searchC1.p50, w.searchC1.p99)}`);
    const d = s.workersD1;
    lines.push(`- ${fmt(s.papers)} papers, search c1 under wrangler dev: D1 mode ${c1(d)}; bundled ${c1(s.workersAssets)}; Node ${cell(s.search?.c1, (r) => pair(r.p50, r.p99))}${d && !d.error ? ` (D1 loaded from ${mb(d.sqlBytes)} of SQL in ${d.sqlFiles} files, ${secs(d.loadMs)})` : ''}`);
  }
  if (s.denseUnavailable) lines.push(`- ${fmt(s.papers)} papers: dense ingest unavailable: ${s.denseUnavailable.slice(0, 160)}…`);
  if (s.dense && !s.dense.error) lines.push(`- ${fmt(s.papers)} papers, in-process dense: ${s.dense.vectors}`);
  if (s.realModel) {
    const r = s.realModel;
    lines.push(`- ${fmt(s.papers)} papers, ${REAL_MODEL}: ${r.error ? `error: ${r.error}` : r.skipped ? `skipped: ${r.skipped}` : `ingest ${secs(r.ingestMs)} (lexical ${secs(s.ingestLexicalMs)}): ${fmt(r.perDocMs, ' ms')} more per paper, of which embedding alone ${fmt(r.embedPerDocMs, ' ms')} (model load ${secs(r.modelLoadMs)}); index ${mb(r.indexBytes)}`}`);
  }
  return lines;
}

/** The report of `results` (bench/results.json's shape), written to `out`. */
export function formatReport(results, out) {
  const { machine } = results;
  const lines = [`## Benchmark (${results.mode}, seed ${results.seed}, ${machine.cpus} × ${machine.model}, ${machine.memGiB} GiB, Node ${machine.node})`, '', table(HEAD, results.sizes.map(sizeRow)), ''];
  for (const s of results.sizes) lines.push(...sizeNotes(s));
  if (results.vectra.length) {
    lines.push('', table(
      ['vectra LocalDocumentIndex (isBm25), papers', 'ingest', 'queries', 'query p50 / p99', 'our hybrid p50', 'vectra / ours', 'note'],
      results.vectra.map((v) => [fmt(v.papers), typeof v.ingestMs === 'number' ? secs(v.ingestMs) : fmt(v.ingestMs), fmt(v.queries), pair(v.p50, v.p99), fmt(v.oursHybridP50, ' ms'), v.ratio == null ? '–' : `${fmt(v.ratio)}×`, v.error ? v.error.slice(0, 120) : '']),
    ));
  }
  for (const note of results.notes) lines.push('', `Note: ${note}`);
  const failures = results.errors;
  if (failures.length) lines.push('', `Failed phases (${failures.length}):`, ...failures.map((f) => `- ${f.papers ?? ''} ${f.phase}: ${f.error.slice(0, 300)}`));
  const outShown = resolve(out).startsWith(process.cwd() + '/') ? relative(process.cwd(), resolve(out)) : resolve(out);
  lines.push('', `Results: ${outShown} (${results.durationS} s; load average ${machine.loadAvg.start} at the start, ${machine.loadAvg.end} at the end)`);
  return lines.join('\n');
}
