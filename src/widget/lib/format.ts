import { MARKER_GROUP, parseMarkerGroup } from '../../protocol/markers.js';
import { externalLink, h, safeUrl } from './dom.js';

/**
 * A tiny Markdown subset rendered by building DOM nodes (never HTML strings): paragraphs, line
 * breaks, bullet and numbered lists, **bold**, `code`, http(s) links, and citation markers
 * (`[1]`, `[1, 2]`, `[1][2]`), which become chips through `chip(n)`. A URL becomes a link only
 * when `linkable(href)` allows it; otherwise it stays text.
 */

/** Marker groups use the one grammar of src/protocol/markers.ts, as the server's validation does. */
const URL_SOURCE = /https?:\/\/[^\s<>"'()[\]]*[^\s<>"'()[\].,;:!?]/.source;
const INLINE = new RegExp(`(?<marker>${MARKER_GROUP.source})|` + /\*\*(?<bold>[^*\n]+?)\*\*|`(?<code>[^`\n]+)`|/.source + `(?<url>${URL_SOURCE})`, 'g');

/** Whether `text` holds an http(s) URL. */
export const hasUrl = (text: string) => new RegExp(URL_SOURCE).test(text);

/** A URL as links are compared: normalized by the URL parser, without a trailing slash; null for anything but http(s). */
export const urlKey = (raw: string) => safeUrl(raw)?.replace(/\/$/, '') ?? null;
const LIST_ITEM = /^\s*(?:[-*•]|(\d+)[.)])\s+(.*)$/;

export type ChipFactory = (n: number) => Node | null;

interface Inline {
  chip: ChipFactory;
  /** Whether a URL (normalized by the URL parser) may become a link. */
  linkable(href: string): boolean;
}

/** What the server reported as not found in the cited abstracts: the claims as written in the answer. */
export const UNSUPPORTED_NOTE = 'not found in the cited abstract';

/**
 * Inline content of one line, with every flagged claim it contains wrapped in a marked span that
 * says, to sighted and screen-reader users alike, that the cited abstract does not bear it out.
 */
function inlineFlagged(line: string, o: Inline, flagged: readonly string[]): Node[] {
  const hit = flagged.map((f) => ({ f, at: f ? line.indexOf(f) : -1 })).filter((x) => x.at >= 0).sort((a, b) => a.at - b.at)[0];
  if (!hit) return inline(line, o);
  const mark = h('span', { class: 'pc-unsupported', title: `Not verified: ${UNSUPPORTED_NOTE}` }, ...inline(hit.f, o), h('span', { class: 'pc-unsupported-note' }, ` (${UNSUPPORTED_NOTE})`));
  return [...inline(line.slice(0, hit.at), o), mark, ...inlineFlagged(line.slice(hit.at + hit.f.length), o, flagged)];
}

/** The source numbers of a marker group such as `[1, 2]` or `[1-3]`; none for brackets that hold no citation. */
export const markerNumbers = (group: string): number[] => parseMarkerGroup(group.slice(1, -1)) ?? [];

function inline(text: string, o: Inline, out: Node[] = []): Node[] {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const i = m.index ?? 0;
    if (i > last) out.push(document.createTextNode(text.slice(last, i)));
    last = i + m[0].length;
    const { marker, bold, code, url } = m.groups ?? {};
    if (marker) {
      const chips = markerNumbers(marker).map(o.chip);
      if (chips.every(Boolean)) {
        const group = h('span', { class: 'pc-chips' });
        for (const c of chips) group.appendChild(c!);
        out.push(group);
      } else out.push(document.createTextNode(m[0]));
    } else if (bold !== undefined) out.push(h('strong', null, ...inline(bold, o)));
    else if (code !== undefined) out.push(h('code', null, code));
    else if (url) {
      const href = safeUrl(url);
      out.push(href && o.linkable(href) ? externalLink(href, url) : document.createTextNode(url));
    }
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

/**
 * Renders `text` into a fragment of block elements; `flagged` claims (exact substrings of a line)
 * are marked. No URL is a link unless `linkable` says so.
 */
export function renderRich(text: string, chip: ChipFactory, flagged: readonly string[] = [], linkable: (href: string) => boolean = () => false): DocumentFragment {
  const content = (line: string) => inlineFlagged(line, { chip, linkable }, flagged);
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
        list.appendChild(h('li', null, ...content(item[2] ?? '')));
        continue;
      }
      if (!line.trim()) continue;
      if (list && /^\s{2,}/.test(line) && list.lastChild) {
        // An indented continuation of the last list item.
        list.lastChild.appendChild(document.createTextNode(' '));
        for (const n of content(line.trim())) list.lastChild.appendChild(n);
        continue;
      }
      list = null;
      if (para) para.appendChild(h('br'));
      else {
        para = h('p');
        frag.appendChild(para);
      }
      for (const n of content(line)) para.appendChild(n);
    }
  }
  return frag;
}

/** Plain text of an answer with its numbered references (title and quoted sentence), for copying. */
export function plainAnswer(answer: string, citations: readonly { n: number; title: string; quote?: { text: string } }[]): string {
  const text = answer.replace(/\*\*([^*\n]+?)\*\*/g, '$1').trim();
  if (!citations.length) return text;
  return `${text}\n\nReferences:\n${citations.map((c) => `[${c.n}] ${c.title}${c.quote ? `\n    “${c.quote.text}”` : ''}`).join('\n')}`;
}
