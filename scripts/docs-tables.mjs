#!/usr/bin/env node
// Rewrites the generated regions of README.md and docs/*.md from the data files, so that no figure
// in a doc table is typed by hand. A region is everything between
//   <!-- generated:NAME -->   and   <!-- /generated:NAME -->
// and NAME says what fills it (scripts/docs/*-tables.mjs): the benchmark (bench/results.json), the
// suite's duration (bench/test-duration.json), the evaluation reports (eval/reports/*.json) and the
// Workers prices (bench/workers-costs.json).
//
//   npm run docs                          # rewrite every region from the data
//   npm run docs -- --check               # exit 1 naming each region that differs from its data
//   npm run docs -- --time-tests          # run npm test, record its wall-clock time, rewrite
//   npm run docs -- --tests-took SECONDS  # record a duration measured elsewhere, rewrite
//   options: --root DIR (another checkout; the tests use a copy)
//
// Exit codes: 0 done (or current), 1 stale regions (--check), 2 a region or data file is broken.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_REGIONS } from './docs/bench-tables.mjs';
import { COST_REGIONS } from './docs/cost-tables.mjs';
import { EVAL_REGIONS } from './docs/eval-tables.mjs';

/** Every region a doc may hold: its data source and renderer. */
export const REGIONS = { ...BENCH_REGIONS, ...EVAL_REGIONS, ...COST_REGIONS };
const MARKER = /<!-- (\/?)generated:([\w-]+) -->/g;

export class DocsError extends Error {}

/** The Markdown files that may hold regions: README.md and docs/*.md. */
export function docFiles(root) {
  const docs = path.join(root, 'docs');
  const inDocs = existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`) : [];
  return ['README.md', ...inDocs].filter((f) => existsSync(path.join(root, f)));
}

/** The data of a source, read once: a JSON file, or for a glob the matching files with their names. */
function loader(root) {
  const cache = new Map();
  const readJson = (rel) => {
    const file = path.join(root, rel);
    if (!existsSync(file)) throw new DocsError(`${rel} is missing`);
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new DocsError(`${rel} is not valid JSON: ${e.message}`);
    }
  };
  return (source) => {
    if (!cache.has(source)) {
      if (source.includes('*')) {
        const dir = path.dirname(source);
        const ext = path.extname(source);
        const files = existsSync(path.join(root, dir)) ? readdirSync(path.join(root, dir)).filter((f) => f.endsWith(ext)).sort() : [];
        cache.set(source, files.map((file) => ({ file, report: readJson(`${dir}/${file}`) })));
      } else cache.set(source, readJson(source));
    }
    return cache.get(source);
  };
}

/** The regions of one document: name, where its content starts and ends. */
export function regionsOf(text, file) {
  const out = [];
  let open = null;
  for (const m of text.matchAll(MARKER)) {
    const [whole, closing, name] = m;
    if (!closing) {
      if (open) throw new DocsError(`${file}: generated:${name} opens inside generated:${open.name}`);
      open = { name, start: m.index + whole.length };
    } else {
      if (!open || open.name !== name) throw new DocsError(`${file}: /generated:${name} closes ${open ? `generated:${open.name}` : 'no region'}`);
      out.push({ name, start: open.start, end: m.index });
      open = null;
    }
  }
  if (open) throw new DocsError(`${file}: generated:${open.name} is never closed (<!-- /generated:${open.name} -->)`);
  return out;
}

/** Each document as it is and as its data makes it, with the regions that differ. */
export function renderDocs(root) {
  const load = loader(root);
  return docFiles(root).map((file) => {
    const before = readFileSync(path.join(root, file), 'utf8');
    let after = '';
    let at = 0;
    const stale = [];
    for (const r of regionsOf(before, file)) {
      const region = REGIONS[r.name];
      if (!region) throw new DocsError(`${file}: no generator for generated:${r.name} (known: ${Object.keys(REGIONS).join(', ')})`);
      let rendered;
      try {
        rendered = region.render(load(region.source));
      } catch (e) {
        if (e instanceof DocsError) throw e;
        throw new DocsError(`${file}: generated:${r.name} cannot be rendered from ${region.source}: ${e.message}`);
      }
      const content = `\n${rendered.trim()}\n`;
      if (before.slice(r.start, r.end) !== content) stale.push({ name: r.name, source: region.source });
      after += before.slice(at, r.start) + content;
      at = r.end;
    }
    after += before.slice(at);
    return { file, before, after, stale };
  });
}

/** Records how long `npm test` took (wall clock), for the README's line. */
function recordTestDuration(root, seconds) {
  const cpus = os.cpus();
  const record = {
    seconds: Math.round(seconds * 10) / 10,
    measured: new Date().toISOString(),
    command: 'npm test',
    machine: { cpus: cpus.length, model: (cpus[0]?.model ?? 'unknown').replace(/\s+\d+-Core Processor$/, '').trim(), node: process.version },
  };
  writeFileSync(path.join(root, 'bench', 'test-duration.json'), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`docs: npm test took ${record.seconds} s; recorded in bench/test-duration.json`);
}

function main() {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, root: { type: 'string' }, 'time-tests': { type: 'boolean', default: false }, 'tests-took': { type: 'string' } } });
  const root = path.resolve(values.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  if (values['tests-took'] !== undefined) {
    const s = Number(values['tests-took']);
    if (!(s > 0)) throw new DocsError(`--tests-took needs the seconds npm test took, e.g. --tests-took 212 (got "${values['tests-took']}")`);
    recordTestDuration(root, s);
  }
  if (values['time-tests']) {
    const t0 = performance.now();
    const run = spawnSync('npm', ['test'], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) throw new DocsError(`npm test failed (exit ${run.status}): a failing run's duration is not recorded`);
    recordTestDuration(root, (performance.now() - t0) / 1000);
  }
  const docs = renderDocs(root);
  const stale = docs.flatMap((d) => d.stale.map((s) => ({ file: d.file, ...s })));
  if (values.check) {
    for (const s of stale) console.error(`${s.file}: generated:${s.name} differs from ${s.source}`);
    if (stale.length) {
      console.error(`docs: ${stale.length} generated region(s) are stale: run npm run docs`);
      process.exit(1);
    }
    console.log(`docs: ${docs.reduce((n, d) => n + regionsOf(d.before, d.file).length, 0)} generated regions in ${docs.length} files are current`);
    return;
  }
  for (const d of docs) if (d.after !== d.before) writeFileSync(path.join(root, d.file), d.after);
  console.log(stale.length ? `docs: rewrote ${stale.map((s) => `${s.file} ${s.name}`).join(', ')}` : 'docs: every generated region was current');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    if (!(e instanceof DocsError)) throw e;
    console.error(`docs: ${e.message}`);
    process.exit(2);
  }
}
