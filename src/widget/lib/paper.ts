import { ChatError, fetchPaper } from './api.js';
import { externalLink, h, icon, iconButton, replace, safeUrl } from './dom.js';
import { reportButton } from './feedback.js';
import type { PaperRef, Quote } from './types.js';

export interface PaperView {
  el: HTMLElement;
  open(ref: PaperRef, trigger: HTMLElement | null): void;
  close(): void;
  readonly isOpen: boolean;
  /** The id of the paper shown, when open. */
  readonly current: string | null;
}

/**
 * The abstract as a paragraph, with the quoted span (when it is a literal span of this abstract)
 * in a <mark>: the sentence the answer rests on, found in its context.
 */
function abstractWithQuote(abstract: string, quote: Quote | undefined): HTMLElement {
  if (!quote || abstract.slice(quote.start, quote.end) !== quote.text) return h('p', { class: 'pc-paper-abstract' }, abstract);
  return h(
    'p',
    { class: 'pc-paper-abstract' },
    abstract.slice(0, quote.start),
    h('mark', { class: 'pc-quote', title: 'The sentence the answer rests on' }, quote.text),
    abstract.slice(quote.end),
  );
}

/**
 * A paper's title and abstract (fetched from `/api/papers/:id`), shown beside or over the chat.
 * Opening moves focus to its heading; closing (button or Escape) returns focus to the chip or
 * source that opened it. A cited paper may offer "wrong citation" feedback (`ref.report`).
 */
export function createPaperView(o: { base: string; idPrefix: string; closeLabel: string; closeIcon: 'close' | 'back'; onToggle?(open: boolean): void }): PaperView {
  const titleId = `${o.idPrefix}-paper-title`;
  const eyebrow = h('p', { class: 'pc-paper-eyebrow' });
  const title = h('h2', { class: 'pc-paper-title', id: titleId, tabindex: -1 });
  const content = h('div', { class: 'pc-paper-content' });
  /** "Wrong citation", when the paper is shown as a citation of an answer that takes feedback. */
  const report = h('div', { class: 'pc-paper-feedback' });
  const close = iconButton(o.closeIcon, o.closeLabel, 'pc-icon-btn pc-paper-close', true);
  const el = h(
    'aside',
    { class: 'pc-paper', 'aria-labelledby': titleId, hidden: true },
    h('div', { class: 'pc-paper-head' }, eyebrow, close),
    h('div', { class: 'pc-paper-scroll' }, title, report, content),
  );
  let trigger: HTMLElement | null = null;
  let current: string | null = null;
  let token = 0;

  close.addEventListener('click', () => view.close());
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      view.close();
    }
  });

  const view: PaperView = {
    el,
    open(ref, from) {
      trigger = from;
      current = ref.id;
      const mine = ++token;
      replace(eyebrow, icon('doc'), h('span', null, ref.n ? `Source ${ref.n}${ref.quote ? ' · quoted sentence highlighted' : ''}` : 'Related paper'));
      title.textContent = ref.title;
      replace(report, ref.report ? reportButton(ref.report) : null);
      replace(content, h('div', { class: 'pc-skeleton', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')), h('p', { class: 'pc-sr' }, 'Loading the abstract…'));
      el.setAttribute('aria-busy', 'true');
      el.hidden = false;
      o.onToggle?.(true);
      title.focus();
      fetchPaper(o.base, ref.id).then(
        (paper) => {
          if (mine !== token) return;
          title.textContent = paper.title;
          const meta = [paper.authors?.join(', '), paper.year ? String(paper.year) : ''].filter(Boolean).join(' · ');
          const href = paper.url ? safeUrl(paper.url) : null;
          replace(
            content,
            meta ? h('p', { class: 'pc-paper-meta' }, meta) : null,
            h('h3', { class: 'pc-paper-label' }, 'Abstract'),
            abstractWithQuote(paper.abstract, ref.quote),
            href ? h('p', { class: 'pc-paper-link' }, externalLink(href, 'Open the paper'), icon('link')) : null,
          );
          el.setAttribute('aria-busy', 'false');
          const mark = content.querySelector('mark');
          if (mark) requestAnimationFrame(() => mark.scrollIntoView({ block: 'nearest' }));
        },
        (e: unknown) => {
          if (mine !== token) return;
          replace(content, h('p', { class: 'pc-paper-error', role: 'alert' }, icon('alert'), h('span', null, e instanceof ChatError ? e.message : 'The abstract could not be loaded.')));
          el.setAttribute('aria-busy', 'false');
        },
      );
    },
    close() {
      if (el.hidden) return;
      el.hidden = true;
      current = null;
      token++;
      o.onToggle?.(false);
      if (trigger?.isConnected) trigger.focus();
      trigger = null;
    },
    get isOpen() {
      return !el.hidden;
    },
    get current() {
      return current;
    },
  };
  return view;
}
