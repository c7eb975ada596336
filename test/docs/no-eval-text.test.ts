/**
 * Guards the evaluation sets against leaking into the code: no 8-word run of any eval question (or
 * follow-up turn) may appear in src/ or test/, and no file may name an eval item by its id. Tuning
 * code or tests to the eval's own wording would make its figures meaningless.
 *
 * On failure it names the file, the line and the eight matching words, and nothing more of the
 * eval text.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The repository's own held-out sets (always present) and the shared sets beside it (optional). */
const EVAL_DIRS = [path.join(ROOT, 'eval'), path.resolve(ROOT, '../shared/eval')];
const SCANNED_DIRS = ['src', 'test'].map((d) => path.join(ROOT, d));
const SKIPPED_DIRS = new Set([path.join(ROOT, 'test', 'artifacts'), path.join(ROOT, 'node_modules')]);
const SCANNED_EXT = new Set(['.ts', '.mjs', '.js', '.css', '.html', '.txt']);
const WINDOW = 8;
/** Eval item ids: a letter d or h and three digits, or h2- and three digits. */
const ITEM_ID = /\b[dh]\d{3}\b|\bh2-\d{3}\b/g;

/** A word as compared: lowercase, punctuation stripped (so quotes, escapes and `+` joins do not matter). */
const normalizeWord = (w: string) => w.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, '');

/** The normalized words of a text, each with the offset where it starts in the text. */
function words(text: string): { word: string; at: number }[] {
  const out: { word: string; at: number }[] = [];
  for (const m of text.matchAll(/\S+/g)) {
    const word = normalizeWord(m[0]);
    if (word) out.push({ word, at: m.index });
  }
  return out;
}

/** The texts a user would type in an eval item: its question and every turn. */
function itemTexts(item: unknown): string[] {
  if (!item || typeof item !== 'object') return [];
  const { question, turns } = item as { question?: unknown; turns?: unknown };
  const texts: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') texts.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect(question);
  if (Array.isArray(turns)) turns.forEach(collect);
  return texts;
}

function evalFiles(): string[] {
  return EVAL_DIRS.filter((d) => existsSync(d)).flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => path.join(d, f)),
  );
}

/** Every 8-word window of every eval text, as a space-joined string. */
function evalWindows(files: readonly string[]): { windows: Set<string>; texts: number } {
  const windows = new Set<string>();
  let texts = 0;
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      for (const text of itemTexts(JSON.parse(line))) {
        texts++;
        const w = words(text).map((x) => x.word);
        for (let i = 0; i + WINDOW <= w.length; i++) windows.add(w.slice(i, i + WINDOW).join(' '));
      }
    }
  }
  return { windows, texts };
}

function scannedFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (SKIPPED_DIRS.has(dir) || !existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && SCANNED_EXT.has(path.extname(entry.name))) out.push(p);
    }
  };
  SCANNED_DIRS.forEach(walk);
  return out;
}

/** A file's text, or null for a binary file. */
function readText(file: string): string | null {
  const buf = readFileSync(file);
  return buf.includes(0) ? null : buf.toString('utf8');
}

const lineOf = (text: string, at: number) => text.slice(0, at).split('\n').length;
const rel = (file: string) => path.relative(ROOT, file);

describe('no eval text in the code', () => {
  const files = evalFiles();
  const { windows, texts } = evalWindows(files);
  const scanned = scannedFiles();

  it('reads the eval sets', () => {
    expect(files.some((f) => path.dirname(f) === path.join(ROOT, 'eval'))).toBe(true);
    expect(texts).toBeGreaterThan(0);
    expect(windows.size).toBeGreaterThan(0);
    expect(scanned.length).toBeGreaterThan(0);
    expect(scanned.some((f) => f === fileURLToPath(import.meta.url))).toBe(true);
  });

  it('finds no 8-word run of an eval question in src/ or test/', () => {
    const hits: string[] = [];
    for (const file of scanned) {
      const text = readText(file);
      if (text === null) continue;
      const w = words(text);
      for (let i = 0; i + WINDOW <= w.length; i++) {
        const window = w.slice(i, i + WINDOW).map((x) => x.word).join(' ');
        if (!windows.has(window)) continue;
        hits.push(`${rel(file)}:${lineOf(text, w[i]!.at)}: "${window}"`);
        i += WINDOW - 1; // one report per run, not one per overlapping window
      }
    }
    expect(hits, `eval text found in the code (rewrite it in your own words):\n${hits.join('\n')}`).toEqual([]);
  });

  it('names no eval item id in src/ or test/', () => {
    const hits: string[] = [];
    for (const file of scanned) {
      const text = readText(file);
      if (text === null) continue;
      for (const m of text.matchAll(ITEM_ID)) hits.push(`${rel(file)}:${lineOf(text, m.index)}: ${m[0]}`);
    }
    expect(hits, `eval item ids found in the code:\n${hits.join('\n')}`).toEqual([]);
  });
});
