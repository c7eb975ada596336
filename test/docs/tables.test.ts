/**
 * The generated regions of README.md and docs/*.md (scripts/docs-tables.mjs, `npm run docs`): the
 * repository's are current, and the check names each region whose data changed or whose text was
 * edited by hand. Edits are made on a copy of the docs and their data, never on the repository.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'docs-tables.mjs');

/** Runs the generator on `root` with `args`; its exit code and what it printed. */
function docs(root: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, '--root', root, ...args], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('the repository docs', () => {
  it('hold every generated region exactly as its data gives it', () => {
    const r = docs(ROOT, '--check');
    expect(r.out, `stale or broken generated regions (run npm run docs):\n${r.out}`).not.toMatch(/differs|missing|never closed|no generator|cannot be rendered/);
    expect(r.status, r.out).toBe(0);
  });
});

describe('npm run docs -- --check on a copy', () => {
  let root: string;
  const file = (rel: string) => path.join(root, rel);
  const read = (rel: string) => readFileSync(file(rel), 'utf8');
  const write = (rel: string, text: string) => writeFileSync(file(rel), text);
  const editJson = (rel: string, edit: (data: Record<string, any>) => void) => {
    const data = JSON.parse(read(rel));
    edit(data);
    write(rel, JSON.stringify(data, null, 2));
  };
  /** The text of one generated region of a document. */
  const region = (rel: string, name: string) => {
    const text = read(rel);
    const open = `<!-- generated:${name} -->`;
    const start = text.indexOf(open);
    expect(start, `${rel} has no region ${name}`).toBeGreaterThanOrEqual(0);
    return text.slice(start + open.length, text.indexOf(`<!-- /generated:${name} -->`));
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'paper-chat-docs-'));
    for (const rel of ['README.md', 'docs', 'bench', 'eval/reports']) cpSync(path.join(ROOT, rel), file(rel), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('passes on an unchanged copy', () => {
    expect(docs(root, '--check').status).toBe(0);
  });

  it('names every region a changed benchmark figure reaches, and npm run docs brings them back in step', () => {
    editJson('bench/results.json', (r) => {
      r.sizes.find((s: { papers: number }) => s.papers === 224).search.c1.p50 = 123.4;
    });
    const stale = docs(root, '--check');
    expect(stale.status).toBe(1);
    expect(stale.out).toContain('docs/performance.md: generated:bench-search differs from bench/results.json');
    expect(stale.out).toContain('docs/deployment.md: generated:bench-workers differs from bench/results.json');
    expect(stale.out).not.toContain('generated:bench-ingest');

    expect(docs(root).status).toBe(0);
    expect(region('docs/performance.md', 'bench-search')).toContain('123 / 2.9 ms');
    expect(docs(root, '--check').status).toBe(0);
  });

  it('names a region whose text was edited by hand', () => {
    const before = read('docs/performance.md');
    const ingest = region('docs/performance.md', 'bench-ingest');
    write('docs/performance.md', before.replace(ingest, ingest.replace(/\d+(\.\d+)? s/, '9.99 s')));
    const r = docs(root, '--check');
    expect(r.status).toBe(1);
    expect(r.out).toContain('docs/performance.md: generated:bench-ingest differs');
    expect(r.out.match(/differs/g)).toHaveLength(1);
  });

  it('gives each evaluation report its own row, named by the file', () => {
    mkdirSync(file('eval/reports'), { recursive: true });
    const report = {
      set: 'some-set.jsonl',
      items: 7,
      server: { papers: 224, dense: false, embedder: 'none', llm: 'extractive' },
      search: { recall_at_1: 0.5, recall_at_5: 0.75, recall_at_10: 1, mrr_at_10: 0.6, multi_recall_at_10: 0.5, p50_ms: 4.2 },
      chat: { cited_gold_rate: 0.625, false_abstain_rate: 0.125, fact_accuracy: 1, abstain_accuracy: 0.5, verified_mean: 1, llm_answer_rate: 0, fallback_rate: 0.25, errors: 0 },
      fallbacks: { 'the LLM answer made no claim about the papers': 2 },
    };
    write('eval/reports/zz-probe.json', JSON.stringify(report));
    const stale = docs(root, '--check');
    expect(stale.status).toBe(1);
    expect(stale.out).toContain('docs/evaluation.md: generated:eval-quality differs from eval/reports/*.json');
    expect(stale.out).toContain('docs/evaluation.md: generated:eval-answering differs from eval/reports/*.json');

    expect(docs(root).status).toBe(0);
    const row = region('docs/evaluation.md', 'eval-quality').split('\n').find((l) => l.startsWith('| `zz-probe` |'));
    expect(row).toBe('| `zz-probe` | some-set.jsonl (7) | lexical; extractive | 0.500 | 0.750 | 0.600 | 0.625 | 0.125 | 0.500 | 1.000 | – | 1.000 | 4.2 ms |');
    expect(region('docs/evaluation.md', 'eval-answering')).toContain('- `zz-probe` fell back: 2× the LLM answer made no claim about the papers');
  });

  it('states the measured duration of npm test once it is recorded', () => {
    const r = docs(root, '--tests-took', '125');
    expect(r.status, r.out).toBe(0);
    expect(JSON.parse(read('bench/test-duration.json')).seconds).toBe(125);
    expect(region('README.md', 'test-duration')).toContain('`npm test` takes about 2 min 5 s here');
    expect(docs(root, '--check').status).toBe(0);
    expect(docs(root, '--tests-took', 'soon').status).toBe(2);
  });

  it('computes the Workers costs from the prices file', () => {
    editJson('bench/workers-costs.json', (c) => {
      c.prices.d1PerMillionRowsRead = 0.002;
    });
    expect(docs(root, '--check').out).toContain('docs/deployment.md: generated:workers-costs differs from bench/workers-costs.json');
    docs(root);
    const rows = JSON.parse(read('bench/workers-costs.json')).usage.d1RowsPerQuestion['10000'];
    const d1 = region('docs/deployment.md', 'workers-costs').split('\n').find((l) => l.startsWith('| D1 rows read'));
    expect(d1).toContain(`| $${Number(((1000 * rows * 0.002) / 1e6).toPrecision(2))} |`);
  });

  it('refuses a region it has no generator for, or one never closed, naming it', () => {
    write('docs/extra.md', '# x\n<!-- generated:no-such-table -->\n<!-- /generated:no-such-table -->\n');
    const unknown = docs(root, '--check');
    expect(unknown.status).toBe(2);
    expect(unknown.out).toContain('docs/extra.md: no generator for generated:no-such-table');
    write('docs/extra.md', '# x\n<!-- generated:bench-run -->\n');
    const unclosed = docs(root, '--check');
    expect(unclosed.status).toBe(2);
    expect(unclosed.out).toContain('docs/extra.md: generated:bench-run is never closed');
  });
});
