/**
 * The docs a newcomer reads: the README stays short, its configuration table is ConfigSchema
 * (every variable, no other, each default as the schema declares it), tables typed by hand hold no
 * measured figures (those are generated: test/docs/tables.test.ts), and every relative link of
 * README.md and docs/*.md leads to a file and heading that exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, loadConfig } from '../../src/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DOCS = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

/** The README's "About two screens". */
const MAX_README_LINES = 150;

/** The rows of the first table under a heading: its cells, header and separator left out. */
function tableUnder(markdown: string, heading: string): string[][] {
  const at = markdown.indexOf(`\n${heading}\n`);
  expect(at, `no heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = markdown.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

/** Text outside fenced code blocks and generated regions: what a person wrote. */
const handWritten = (markdown: string) => markdown.replace(/```[\s\S]*?```/g, '').replace(/<!-- generated:([\w-]+) -->[\s\S]*?<!-- \/generated:\1 -->/g, '');

/** GitHub's anchor of a heading. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

describe('README', () => {
  it(`fits on about two screens (${MAX_README_LINES} lines at most)`, () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(MAX_README_LINES);
  });

  describe('configuration table', () => {
    const rows = tableUnder(README, '## Configuration');
    const names = rows.map((r) => /^`([A-Z0-9_]+)`$/.exec(r[0] ?? '')?.[1] ?? `not a variable: ${r[0]}`);
    const schema = Object.keys(ConfigSchema.shape);

    it('lists every variable of ConfigSchema, once', () => {
      expect(schema.filter((v) => !names.includes(v)), 'in ConfigSchema, missing from the README table').toEqual([]);
      expect(names.filter((n, i) => names.indexOf(n) !== i), 'listed twice').toEqual([]);
    });

    it('lists no variable ConfigSchema does not have', () => {
      expect(names.filter((n) => !schema.includes(n)), 'in the README table, not in ConfigSchema').toEqual([]);
    });

    it('gives each default as the schema declares it, and a meaning', () => {
      const defaults = loadConfig({}) as Record<string, unknown>;
      for (const [i, name] of names.entries()) {
        const [, given = '', meaning = ''] = rows[i]!;
        const value = defaults[name];
        expect(meaning.length, `${name} has no meaning`).toBeGreaterThan(10);
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
          expect(given, `${name}: the default is ${value}`).toContain(`\`${value}\``);
        } else if (value === undefined) {
          expect(given, `${name} has no default value, so its default cell names none`).not.toMatch(/`[^`]+`/);
        }
      }
    });
  });
});

describe('README.md and docs/*.md', () => {
  it('hold no measured figure in a table typed by hand', () => {
    // A number with a unit of time, size, share or rate, or a price: what a measurement gives.
    const FIGURE = /\d[\d,.]*\s?(?:ms|s|min|KB|KiB|MB|MiB|GB|GiB|%|×|req\/s)(?![\w/])|\$\d/;
    const found = DOCS.flatMap((rel) =>
      handWritten(text(rel))
        .split('\n')
        .filter((l) => l.startsWith('|') && FIGURE.test(l.replace(/`[^`]*`/g, '')))
        .map((l) => `${rel}: ${l.slice(0, 120)}`),
    );
    expect(found, 'figures in these tables must come from data: add a generated region (scripts/docs-tables.mjs)').toEqual([]);
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const rel of DOCS) {
      for (const [, target] of handWritten(text(rel)).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue;
        const [file, anchor] = target!.split('#');
        const dest = file ? path.normalize(path.join(path.dirname(rel), file)) : rel;
        if (!existsSync(path.join(ROOT, dest))) {
          broken.push(`${rel}: ${target} (no ${dest})`);
          continue;
        }
        if (anchor && dest.endsWith('.md')) {
          const headings = text(dest).replace(/```[\s\S]*?```/g, '').split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, '')));
          if (!headings.includes(anchor)) broken.push(`${rel}: ${target} (no heading #${anchor} in ${dest})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
