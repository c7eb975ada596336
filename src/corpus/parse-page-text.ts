import type { CorpusIssue } from './schema.js';

export interface RawRecord {
  title: string;
  abstract: string;
  /** Line of the title in the source. */
  line: number;
}

export interface ParseResult {
  records: RawRecord[];
  issues: CorpusIssue[];
}

/** Lines that are web-page chrome rather than papers. */
const PAGE_DEBRIS = [
  /^get trending papers in your email inbox/i,
  /^subscribe$/i,
  /^(sign in|log in|sign up|load more|see all|show more)$/i,
];
/** "Subscribe" (a button label) glued to the front of the first title. */
const GLUED_PREFIX = /^Subscribe(?=[A-Z0-9"'(\[])/;

const excerpt = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);

/**
 * An abstract is prose: at least 250 characters, or a 20+ word text ending in a full stop.
 * A title is anything shorter that is not page debris (titles may end in "?" or "!").
 */
export function looksLikeAbstract(line: string): boolean {
  if (line.length >= 250) return true;
  return /\.["')\]]?$/.test(line) && line.split(/\s+/).length >= 20;
}

/**
 * Parses the raw text of a paper-listing web page: page debris, then one title line followed by
 * one abstract line per paper. Nothing is dropped silently: every line that is not part of a
 * title/abstract pair is returned in `issues` with its line number and what was done with it.
 *
 * @example
 * const { records, issues } = parsePageText(fs.readFileSync('data/papers.txt', 'utf8'));
 */
export function parsePageText(text: string): ParseResult {
  const records: RawRecord[] = [];
  const issues: CorpusIssue[] = [];
  let pending: { title: string; line: number } | null = null;
  let lastWasAbstract = false;

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((rawLine, i) => {
    const lineNo = i + 1;
    let line = rawLine.replace(/\s+/g, ' ').trim();
    if (!line) return;
    if (PAGE_DEBRIS.some((re) => re.test(line))) {
      issues.push({ line: lineNo, reason: 'page debris, skipped', excerpt: excerpt(line) });
      return;
    }
    if (GLUED_PREFIX.test(line)) {
      issues.push({ line: lineNo, reason: 'removed "Subscribe" glued to the title', excerpt: excerpt(line) });
      line = line.replace(GLUED_PREFIX, '');
    }
    if (looksLikeAbstract(line)) {
      if (pending) {
        records.push({ title: pending.title, abstract: line, line: pending.line });
        pending = null;
      } else if (lastWasAbstract && records.length) {
        const prev = records[records.length - 1]!;
        prev.abstract = `${prev.abstract} ${line}`;
        issues.push({ line: lineNo, reason: `second abstract paragraph, joined to "${excerpt(prev.title)}"`, excerpt: excerpt(line) });
      } else {
        issues.push({ line: lineNo, reason: 'abstract without a title, skipped', excerpt: excerpt(line) });
      }
      lastWasAbstract = true;
      return;
    }
    if (pending) {
      issues.push({ line: pending.line, reason: 'title without an abstract, skipped', excerpt: excerpt(pending.title) });
    }
    pending = { title: line, line: lineNo };
    lastWasAbstract = false;
  });
  if (pending) {
    const p = pending as { title: string; line: number };
    issues.push({ line: p.line, reason: 'title without an abstract at end of file, skipped', excerpt: excerpt(p.title) });
  }
  return { records, issues };
}
