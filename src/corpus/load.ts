import { cleanMarkup } from './markup.js';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { sha256HexSync as sha256 } from '../platform/node/hash.js';
import { compareIds } from '../util/compare.js';
import { paperId } from './ids.js';
import { CorpusError, parseJsonCorpus } from './parse-json.js';
import { parsePageText } from './parse-page-text.js';
import { PaperSchema, type CorpusIssue, type Paper } from './schema.js';

export interface Corpus {
  papers: Paper[];
  /** Lines or records that were skipped or repaired, and duplicate warnings: for the user to see. */
  issues: CorpusIssue[];
  /** Fingerprint of the papers' content, independent of their order in the file. */
  hash: string;
  /** sha256 of the file's bytes, when read from a file: start-up compares it without parsing. */
  fileHash?: string;
}

interface Draft {
  id?: string;
  title: string;
  abstract: string;
  line: number;
  url?: string;
  authors?: string[];
  year?: number;
}


const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Assigns stable ids, reports duplicate titles (they keep distinct ids) and fingerprints the set.
 * Pure: the same drafts in any order give the same ids and the same hash.
 */
export function finalizeCorpus(rawDrafts: Draft[], issues: CorpusIssue[] = []): Corpus {
  const drafts = rawDrafts.map((d) => ({ ...d, title: cleanMarkup(d.title), abstract: cleanMarkup(d.abstract) }));
  const byTitle = new Map<string, Draft[]>();
  for (const d of drafts) {
    const key = norm(d.title);
    byTitle.set(key, [...(byTitle.get(key) ?? []), d]);
  }
  // Explicit ids are reserved first, so a derived id never takes one, whatever the record order.
  const taken = new Set<string>();
  for (const d of drafts) {
    if (!d.id) continue;
    if (taken.has(d.id)) throw new CorpusError(`line ${d.line}: id "${d.id}" is used by more than one paper`);
    taken.add(d.id);
  }
  const papers: Paper[] = [];
  for (const d of drafts) {
    const group = byTitle.get(norm(d.title))!;
    if (group.length > 1 && d === group[0]) {
      issues.push({
        line: d.line,
        reason: `duplicate title: ${group.length} papers are titled "${d.title}" (lines ${group.map((g) => g.line).join(', ')}); each keeps a distinct id`,
        excerpt: d.title.slice(0, 80),
      });
    }
    let id = d.id;
    if (!id) {
      const base = group.length > 1 ? paperId(d.title, d.abstract) : paperId(d.title);
      id = base;
      for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
      if (id !== base) issues.push({ line: d.line, reason: `id ${base} is taken (an exact duplicate or an explicit id); kept as ${id}`, excerpt: d.title.slice(0, 80) });
      taken.add(id);
    }
    papers.push(PaperSchema.parse({ id, title: d.title, abstract: d.abstract, url: d.url, authors: d.authors, year: d.year }));
  }
  const canonical = [...papers].sort((a, b) => compareIds(a.id, b.id));
  return { papers, issues, hash: sha256(JSON.stringify(canonical)) };
}

/** Parses corpus text by format: `.txt` page text, `.json` array, `.jsonl` lines. */
export function parseCorpus(text: string, format: 'txt' | 'json' | 'jsonl', source = 'corpus'): Corpus {
  if (format === 'txt') {
    const { records, issues } = parsePageText(text);
    return finalizeCorpus(records, issues);
  }
  const { records, issues } = parseJsonCorpus(text, format, source);
  return finalizeCorpus(records, issues);
}

export function corpusFormat(path: string): 'txt' | 'json' | 'jsonl' {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return 'txt';
}

/** Reads and parses a corpus file; throws CorpusError with an actionable message. */
export async function loadCorpus(path: string): Promise<Corpus> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CorpusError(`cannot read corpus ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Set CORPUS_PATH or pass --corpus FILE.`);
  }
  const corpus = parseCorpus(text, corpusFormat(path), path);
  if (!corpus.papers.length) throw new CorpusError(`corpus ${path} holds no papers (expected title/abstract line pairs, JSON or JSONL)`);
  return { ...corpus, fileHash: sha256(text) };
}
