import { MARKER_GROUP, parseMarkerGroup } from '../../protocol/markers.js';
import { externalLink, h, safeUrl } from './dom.js';

/**
 * A tiny Markdown subset rendered by building DOM nodes (never HTML strings): paragraphs, line
 * breaks, bullet and numbered lists, **bold**, `code`, http(s) links, and citation markers
 * (`[1]`, `[1, 2]`, `[1][2]`), which become chips through `chip(n)`.
 */

/** Marker groups use the one grammar of src/protocol/markers.ts, as the server's validation does. */
const INLINE = new RegExp(
  `(?<marker>${MARKER_GROUP.source})|` + /\*\*(?<bold>[^*\n]+?)\*\*|`(?<code>[^`\n]+)`|(?<url>https?:\/\/[^\s<>"'()[\]]*[^\s<>"'()[\].,;:!?])/.source,
  'g',
);
const LIST_ITEM = /^\s*(?:[-*•]|(\d+)[.)])\s+(.*)$/;

export type ChipFactory = (n: number) => Node | null;

/** The source numbers of a marker group such as `[1, 2]` or `[1-3]`; none for brackets that hold no citation. */
export const markerNumbers = (group: string): number[] => parseMarkerGroup(group.slice(1, -1)) ?? [];

function inline(text: string, chip: ChipFactory, out: Node[] = []): Node[] {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const i = m.index ?? 0;
    if (i > last) out.push(document.createTextNode(text.slice(last, i)));
    last = i + m[0].length;
    const { marker, bold, code, url } = m.groups ?? {};
    if (marker) {
      const chips = markerNumbers(marker).map(chip);
      if (chips.every(Boolean)) {
        const group = h('span', { class: 'pc-chips' });
        for (const c of chips) group.appendChild(c!);
        out.push(group);
      } else out.push(document.createTextNode(m[0]));
    } else if (bold !== undefined) out.push(h('strong', null, ...inline(bold, chip)));
    else if (code !== undefined) out.push(h('code', null, code));
    else if (url) {
      const href = safeUrl(url);
      out.push(href ? externalLink(href, url) : document.createTextNode(url));
    }
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

/** Renders `text` into a fragment of block elements. */
export function renderRich(text: string, chip: ChipFactory): DocumentFragment {
  const frag = document.createDocumentFragment();
  for (const block of text.trim().split(/\n\s*\n/)) {
    if (!block.trim()) continue;
    let para: HTMLParagraphElement | null = null;
    let list: HTMLOListElement | HTMLUListElement | null = null;
    for (const line of block.split('\n')) {
      const item = LIST_ITEM.exec(line);
      if (item) {
        para = null;
        const ordered = item[1] !== undefined;
        if (!list || (list.tagName === 'OL') !== ordered) {
          list = ordered ? h('ol', item[1] !== '1' ? { start: item[1] } : null) : h('ul');
          frag.appendChild(list);
        }
        list.appendChild(h('li', null, ...inline(item[2] ?? '', chip)));
        continue;
      }
      if (!line.trim()) continue;
      if (list && /^\s{2,}/.test(line) && list.lastChild) {
        // An indented continuation of the last list item.
        list.lastChild.appendChild(document.createTextNode(' '));
        for (const n of inline(line.trim(), chip)) list.lastChild.appendChild(n);
        continue;
      }
      list = null;
      if (para) para.appendChild(h('br'));
      else {
        para = h('p');
        frag.appendChild(para);
      }
      for (const n of inline(line, chip)) para.appendChild(n);
    }
  }
  return frag;
}

/** Plain text of an answer for copying and for screen-reader announcements. */
export function plainAnswer(answer: string, citations: readonly { n: number; title: string }[]): string {
  const text = answer.replace(/\*\*([^*\n]+?)\*\*/g, '$1').trim();
  if (!citations.length) return text;
  return `${text}\n\nSources:\n${citations.map((c) => `[${c.n}] ${c.title}`).join('\n')}`;
}
