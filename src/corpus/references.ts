/**
 * References of papers as BibTeX, RIS and CSL-JSON, from what a corpus record holds (title,
 * authors, year, url). Pure functions with no imports: the server (`GET /api/papers/:id/cite`),
 * the chat page and the widget ("copy as BibTeX") format alike.
 */

/** What a reference is made from: a paper of the corpus (see `PaperSchema`), abstract not needed. */
export interface ReferenceSource {
  id: string;
  title: string;
  authors?: readonly string[] | undefined;
  year?: number | undefined;
  url?: string | undefined;
}

export type ReferenceFormat = 'bibtex' | 'ris' | 'csl';

/** Words a key skips at the start of a title. */
const MINOR_WORDS = new Set(['a', 'an', 'the', 'on', 'of', 'for', 'and', 'in', 'to', 'with', 'towards', 'toward', 'via', 'from', 'is', 'are', 'do', 'does', 'can', 'what', 'how', 'when', 'why']);

/** Lowercase ASCII letters and digits of a text (accents dropped). */
const ascii = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** FNV-1a (32 bit) of a string, as 4 base-36 characters: the stable part of a key. */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 36 ** 4).toString(36).padStart(4, '0');
}

/** A person's name split into family and given parts: "Ada Lovelace" and "Lovelace, Ada" alike. */
export function splitName(name: string): { family: string; given?: string } {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  const comma = trimmed.indexOf(',');
  if (comma > 0) {
    const given = trimmed.slice(comma + 1).trim();
    return { family: trimmed.slice(0, comma).trim(), ...(given ? { given } : {}) };
  }
  const parts = trimmed.split(' ');
  if (parts.length === 1) return { family: trimmed };
  return { family: parts[parts.length - 1]!, given: parts.slice(0, -1).join(' ') };
}

/**
 * The paper's citation key: first author's family name, year and the first significant title
 * word (two title words when there are no authors), then a hash of the paper id, so the key is the
 * same on every call and two papers never share one: `lovelace1843notes-k3f9`.
 */
export function citationKey(paper: ReferenceSource): string {
  const words = ascii(paper.title).split(' ').filter(Boolean);
  const significant = words.filter((w) => !MINOR_WORDS.has(w));
  const titleWords = significant.length ? significant : words;
  const first = paper.authors?.[0];
  const family = first ? ascii(splitName(first).family).replace(/ /g, '') : '';
  const base = `${family}${paper.year ?? ''}${titleWords.slice(0, family ? 1 : 2).join('')}` || 'paper';
  return `${base.slice(0, 40)}-${shortHash(paper.id)}`;
}

/** A BibTeX field value: LaTeX's special characters escaped, so braces stay balanced. */
function bibtexText(s: string): string {
  return s.replace(/[\\{}&%$#_^~]/g, (ch) => {
    switch (ch) {
      case '\\':
        return '\\textbackslash{}';
      case '^':
        return '\\textasciicircum{}';
      case '~':
        return '\\textasciitilde{}';
      default:
        return `\\${ch}`;
    }
  });
}

/** A URL inside BibTeX braces: characters that would unbalance them percent-encoded. */
const bibtexUrl = (url: string) => url.replace(/[{}\\\s]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** One `@misc` entry: the corpus holds abstracts, not venues. */
function bibtexEntry(paper: ReferenceSource): string {
  const fields: [string, string][] = [['title', `{${bibtexText(paper.title)}}`]];
  if (paper.authors?.length) {
    const names = paper.authors.map((a) => {
      const { family, given } = splitName(a);
      return bibtexText(given ? `${family}, ${given}` : family);
    });
    fields.push(['author', names.join(' and ')]);
  }
  if (paper.year !== undefined) fields.push(['year', String(paper.year)]);
  if (paper.url) fields.push(['url', bibtexUrl(paper.url)]);
  return `@misc{${citationKey(paper)},\n${fields.map(([k, v]) => `  ${k} = {${v}}`).join(',\n')}\n}\n`;
}

/** RIS text: one line, no line breaks (a break would start a bogus tag). */
const risText = (s: string) => s.replace(/\s+/g, ' ').trim();

/** One RIS record (tags TY, ID, TI, AU, PY, UR, ER; lines end in CRLF as the format specifies). */
function risRecord(paper: ReferenceSource): string {
  const lines: string[] = ['TY  - GEN', `ID  - ${citationKey(paper)}`, `TI  - ${risText(paper.title)}`];
  for (const a of paper.authors ?? []) {
    const { family, given } = splitName(a);
    lines.push(`AU  - ${risText(given ? `${family}, ${given}` : family)}`);
  }
  if (paper.year !== undefined) lines.push(`PY  - ${paper.year}`);
  if (paper.url) lines.push(`UR  - ${risText(paper.url)}`);
  lines.push('ER  - ');
  return lines.map((l) => `${l}\r\n`).join('');
}

/** One CSL-JSON item (the citation key is its id). */
export function cslItem(paper: ReferenceSource): Record<string, unknown> {
  return {
    id: citationKey(paper),
    type: 'article',
    title: paper.title,
    ...(paper.authors?.length ? { author: paper.authors.map((a) => splitName(a)) } : {}),
    ...(paper.year !== undefined ? { issued: { 'date-parts': [[paper.year]] } } : {}),
    ...(paper.url ? { URL: paper.url } : {}),
  };
}

/**
 * The references of these papers in one format: BibTeX entries separated by blank lines, RIS
 * records one after another, or one CSL-JSON array.
 *
 * @example
 * formatReferences([{ id: 'p1', title: 'Notes', authors: ['Ada Lovelace'], year: 1843 }], 'bibtex')
 * // '@misc{lovelace1843notes-…,\n  title = {{Notes}},\n  author = {Lovelace, Ada},\n  year = {1843}\n}\n'
 */
export function formatReferences(papers: readonly ReferenceSource[], format: ReferenceFormat): string {
  switch (format) {
    case 'bibtex':
      return papers.map(bibtexEntry).join('\n');
    case 'ris':
      return papers.map(risRecord).join('');
    case 'csl':
      return `${JSON.stringify(papers.map(cslItem), null, 2)}\n`;
  }
}
