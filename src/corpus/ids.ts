import { sha1HexSync } from '../platform/node/hash.js';

const normalize = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
const shortHash = (s: string) => sha1HexSync(s).slice(0, 6);

/** Lowercase ASCII slug of at most `max` characters, cut at a word boundary. */
export function slugify(text: string, max = 48): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= max) return slug || 'paper';
  const cut = slug.slice(0, max + 1);
  const at = cut.lastIndexOf('-');
  return (at > 16 ? cut.slice(0, at) : slug.slice(0, max)).replace(/-+$/, '');
}

/**
 * A stable, URL-safe id derived from the paper's content only (never its position), so the same
 * paper keeps its id across re-ingestion and reordering: `slug-of-title-<6 hex of the title hash>`.
 * Papers that share a title are told apart by also hashing their abstracts.
 */
export function paperId(title: string, abstract?: string): string {
  const key = abstract === undefined ? normalize(title) : `${normalize(title)}\n${normalize(abstract)}`;
  return `${slugify(title)}-${shortHash(key)}`;
}
