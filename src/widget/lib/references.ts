import { fetchCite } from './api.js';
import { copyButtonFeedback, copyToClipboard } from './clipboard.js';
import { h } from './dom.js';
import type { CiteFormat } from './types.js';

/** The formats offered, as the buttons name them. */
const FORMATS: readonly [CiteFormat, string][] = [
  ['bibtex', 'BibTeX'],
  ['ris', 'RIS'],
  ['csl', 'CSL-JSON'],
];

/**
 * The references of several papers in one format, from `GET /api/papers/:id/cite` for each (in
 * the order given): BibTeX and RIS entries with a blank line between them, CSL-JSON as one array.
 */
export async function referencesOf(base: string, ids: readonly string[], format: CiteFormat): Promise<string> {
  const texts = await Promise.all([...new Set(ids)].map((id) => fetchCite(base, id, format)));
  // Blank lines around an entry go (an RIS entry's closing "ER  - " keeps its space).
  if (format !== 'csl') return `${texts.map((t) => t.replace(/^(\r?\n)+|(\r?\n)+$/g, '')).join('\n\n')}\n`;
  const items = texts.flatMap((t) => {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) ? v : [v];
  });
  return `${JSON.stringify(items, null, 2)}\n`;
}

/**
 * "Copy as BibTeX · RIS · CSL-JSON" for an answer's cited papers: one button per format, each
 * putting every cited paper's reference on the clipboard.
 */
export function copyReferences(base: string, ids: readonly string[], announce: (text: string) => void): HTMLElement {
  const group = h('div', { class: 'pc-cite', role: 'group', 'aria-label': 'Copy the cited papers as references' }, h('span', { class: 'pc-cite-label', 'aria-hidden': 'true' }, 'Copy as'));
  for (const [format, name] of FORMATS) {
    const b = h('button', { type: 'button', class: 'pc-cite-btn', 'data-key': `cite-${format}`, 'aria-label': `Copy the cited papers as ${name}` }, h('span', null, name));
    b.addEventListener('click', async () => {
      const ok = await copyToClipboard(referencesOf(base, ids, format), b);
      copyButtonFeedback(b, null, name, ok, announce, `the ${name} references`);
    });
    group.appendChild(b);
  }
  return group;
}
