/**
 * Tiny DOM builders. Every piece of text from the corpus, the model or the user goes in through
 * `textContent` (or a Text node): nothing here ever parses HTML.
 */

type Child = Node | string | null | undefined | false;
/** Attribute values; `on*` attributes are refused so data can never become a handler. */
type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function setAttrs(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (/^on/i.test(name)) throw new Error(`refusing event-handler attribute ${name}`);
    if (value === null || value === undefined || value === false) el.removeAttribute(name);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Replaces all children of `el`. */
export function replace(el: Node, ...children: Child[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, children);
}

const SVG = 'http://www.w3.org/2000/svg';

/** Icon paths (24×24, stroked). Constants only: no data ever reaches an SVG attribute. */
export const ICONS = {
  send: 'M5 12h14M13 6l6 6-6 6',
  stop: 'M7 7h10v10H7z',
  plus: 'M12 5v14M5 12h14',
  close: 'M6 6l12 12M18 6L6 18',
  copy: 'M9 9h10v10H9zM5 15V5h10',
  check: 'M5 12l5 5L20 7',
  retry: 'M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7',
  info: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 11v5M12 8h.01',
  alert: 'M12 3l10 18H2zM12 10v4M12 17h.01',
  chat: 'M4 5h16v11H9l-5 4z',
  back: 'M19 12H5M11 6l-6 6 6 6',
  doc: 'M6 3h9l4 4v14H6zM14 3v5h5M9 13h7M9 17h7',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4',
  spark: 'M12 3l2 6 6 2-6 2-2 6-2-6-6-2 6-2z',
  link: 'M14 4h6v6M20 4l-9 9M18 14v6H4V6h6',
  up: 'M7 11v9H4v-9zM7 11l4-8a2 2 0 0 1 3 2l-1 5h6a2 2 0 0 1 2 2l-2 7a2 2 0 0 1-2 1H7',
  down: 'M17 13V4h3v9zM17 13l-4 8a2 2 0 0 1-3-2l1-5H5a2 2 0 0 1-2-2l2-7a2 2 0 0 1 2-1h10',
  flag: 'M5 21V4M5 4h12l-2 4 2 4H5',
} as const;
export type IconName = keyof typeof ICONS;

export function icon(name: IconName, cls = 'pc-icon'): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', cls);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.appendChild(path);
  return svg;
}

/** A button with an icon and a label; `iconOnly` keeps the label for assistive tech and the tooltip. */
export function iconButton(name: IconName, label: string, cls: string, iconOnly = false): HTMLButtonElement {
  const b = h('button', { type: 'button', class: cls });
  b.appendChild(icon(name));
  if (iconOnly) setAttrs(b, { 'aria-label': label, title: label });
  else b.appendChild(h('span', null, label));
  return b;
}

/** Only http(s) URLs are ever made into links. */
export function safeUrl(raw: string): string | null {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

export function externalLink(href: string, text: string, cls?: string): HTMLAnchorElement {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: cls }, text);
}
