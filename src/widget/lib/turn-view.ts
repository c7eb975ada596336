import { h, icon, replace } from './dom.js';
import { hasUrl, renderRich, UNSUPPORTED_NOTE, urlKey } from './format.js';
import type { HoverCard } from './hover-card.js';
import type { Turn } from './conversation.js';
import type { Abstention, ChatResult, Citation, CitationReport, PaperRef } from './types.js';

/**
 * One turn on screen: the question, then the answer's state line (progress, abstention, error),
 * its body (the text with citation chips) and what goes under it (notes, sources, related papers,
 * follow-up questions). The actions row is filled by turn-actions.ts.
 *
 * The streamed text shows until the `done` event; then the final answer replaces it, with the
 * server's citations and unsupported marks. A URL in it is a link only when it is the `url` of a
 * paper the answer cites (its record from /api/papers/:id); any other URL stays text.
 */
export interface TurnView {
  turn: Turn;
  el: HTMLElement;
  state: HTMLElement;
  body: HTMLElement;
  extra: HTMLElement;
  actions: HTMLElement;
  /** The pending animation frame of a scheduled render, or 0. */
  frame: number;
  /** The URLs of the cited papers' records (urlKey), once asked for: the only URLs shown as links. */
  links?: Set<string>;
}

/** What rendering a turn needs from the conversation around it. */
export interface TurnContext {
  card: HoverCard;
  openPaper(ref: PaperRef, trigger: HTMLElement): void;
  ask(question: string): void;
  isLast(turn: Turn): boolean;
  /** "Wrong citation" feedback for the paper `id` cited by `turn`, when the server takes feedback. */
  report(turn: Turn, id: string): CitationReport | undefined;
  /** The `url`s of these papers' records, those that have one. */
  paperUrls(ids: readonly string[]): Promise<string[]>;
  /** The "copy as BibTeX / RIS / CSL-JSON" control for these papers. */
  copyReferences(ids: readonly string[]): HTMLElement;
}

/** How each kind of abstention is named on its state line and announced. */
const ABSTAINED: Record<Abstention['kind'], [string, 'info' | 'alert']> = {
  not_covered: ['These papers don’t answer that', 'info'],
  not_stated: ['Not stated in the paper', 'info'],
  false_premise: ['Not what the paper says', 'alert'],
  refused: ['Not a question about the papers', 'info'],
};

/** The kind of an abstained answer (one from a server that names none counts as not covered), or null for an answer. */
export const abstentionKind = (r: ChatResult | undefined): Abstention['kind'] | null => (r?.abstained ? (r.abstention?.kind ?? 'not_covered') : null);

/** The state line's words for an abstained answer. */
export const abstentionLabel = (kind: Abstention['kind']) => ABSTAINED[kind][0];

/** Abstentions that cite the paper asked about as [1], with its closest quote. */
const aboutAPaper = (kind: Abstention['kind'] | null) => kind === 'not_stated' || kind === 'false_premise';

export function mountTurn(turn: Turn, id: string): TurnView {
  const state = h('div', { class: 'pc-state' });
  const body = h('div', { class: 'pc-body', 'aria-live': 'polite', 'aria-atomic': 'false' });
  const extra = h('div', { class: 'pc-extra' });
  const actions = h('div', { class: 'pc-actions' });
  const el = h(
    'article',
    { class: 'pc-turn', 'aria-labelledby': id },
    h('h2', { class: 'pc-q', id }, turn.q),
    h('section', { class: 'pc-a', 'aria-label': 'Answer' }, state, body, extra, actions),
  );
  return { turn, el, state, body, extra, actions, frame: 0 };
}

function citationRef(c: Citation, turn: Turn, ctx: TurnContext): PaperRef {
  const report = ctx.report(turn, c.id);
  return { id: c.id, title: c.title, n: c.n, ...(c.quote ? { quote: c.quote } : {}), ...(report ? { report } : {}) };
}

/** Re-renders `container` through `fn`, keeping keyboard focus on the equivalent control. */
export function keepFocus(container: HTMLElement, fn: () => void) {
  const root = container.getRootNode() as Document | ShadowRoot;
  const active = root.activeElement;
  const key = active && container.contains(active) ? active.getAttribute('data-key') : null;
  fn();
  if (key) (container.querySelector(`[data-key="${key}"]`) as HTMLElement | null)?.focus();
}

function chipButton(n: number, ref: PaperRef, ctx: TurnContext): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'pc-chip', 'data-key': `chip-${n}`, 'aria-label': `Source ${n}: ${ref.title}` }, String(n));
  b.addEventListener('click', () => {
    ctx.card.hide(b);
    ctx.openPaper(ref, b);
  });
  ctx.card.attach(b, ref);
  return b;
}

function paperButton(ref: PaperRef, key: string, lead: Node, ctx: TurnContext): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'pc-source', 'data-key': key }, lead, h('span', { class: 'pc-source-title' }, ref.title));
  b.addEventListener('click', () => ctx.openPaper(ref, b));
  return b;
}

const list = (title: string, items: HTMLElement) => h('div', { class: 'pc-list' }, h('h3', { class: 'pc-list-title' }, title), items);

function renderState({ turn, state }: TurnView) {
  const r = turn.result;
  if (turn.status === 'streaming') {
    const n = turn.sources.length;
    replace(state, h('span', { class: 'pc-spinner', 'aria-hidden': 'true' }), n ? `Reading ${n} paper${n === 1 ? '' : 's'}…` : 'Searching the papers…');
  } else if (turn.status === 'error') {
    replace(state, icon('alert'), h('span', null, turn.error?.message ?? 'Something went wrong.'));
  } else if (r?.abstained) {
    const [label, glyph] = ABSTAINED[abstentionKind(r)!];
    replace(state, icon(glyph), h('span', null, label));
  } else if (turn.status === 'stopped') {
    replace(state, icon('info'), h('span', null, 'Stopped'));
  } else replace(state);
  state.hidden = !state.firstChild;
  state.className = `pc-state pc-state--${turn.status === 'error' ? 'error' : r?.abstained ? 'abstained' : turn.status}`;
}

/** The final answer with its citations, or the streamed text with the candidate sources. */
function renderBody(view: TurnView, ctx: TurnContext) {
  const { turn, body } = view;
  const r = turn.result;
  body.setAttribute('aria-busy', String(turn.status === 'streaming'));
  keepFocus(body, () => {
    const refs = new Map<number, PaperRef>(r ? r.citations.map((c) => [c.n, citationRef(c, turn, ctx)]) : turn.sources.map((c) => [c.n, { id: c.id, title: c.title, n: c.n }]));
    const text = r ? r.answer : turn.text;
    const flagged = r?.unsupported?.map((u) => u.sentence) ?? [];
    replace(
      body,
      renderRich(
        text,
        (n) => {
          const ref = refs.get(n);
          return ref ? chipButton(n, ref, ctx) : null;
        },
        flagged,
        (href) => Boolean(view.links?.has(urlKey(href)!)),
      ),
    );
    if (turn.status === 'streaming' && text) {
      let last = body.lastElementChild;
      if (last && /^(UL|OL)$/.test(last.tagName)) last = last.lastElementChild;
      last?.appendChild(h('span', { class: 'pc-caret', 'aria-hidden': 'true' }));
    }
  });
  // The cited papers' records say which URLs may be links; asked for once, and only when there is a URL.
  if (r && !view.links && r.citations.length && hasUrl(r.answer)) {
    view.links = new Set();
    void ctx.paperUrls(r.citations.map((c) => c.id)).then((urls) => {
      view.links = new Set(urls.map(urlKey).filter((u): u is string => Boolean(u)));
      if (view.links.size && turn.result === r) renderBody(view, ctx);
    });
  }
}

function renderExtra({ turn, extra }: TurnView, ctx: TurnContext) {
  const r = turn.result;
  const kind = abstentionKind(r);
  keepFocus(extra, () => {
    replace(extra);
    if (!r) return;
    // The paper's closest passage, unless the answer already quotes it.
    const closest = aboutAPaper(kind) ? r.citations[0]?.quote : undefined;
    if (closest && !r.answer.includes(closest.text)) {
      extra.appendChild(h('figure', { class: 'pc-closest' }, h('figcaption', null, 'Closest passage in the abstract'), h('blockquote', null, closest.text)));
    }
    if (r.fallback) extra.appendChild(h('p', { class: 'pc-note' }, icon('info'), h('span', null, `Answered from the abstracts directly: ${r.fallback}`)));
    if (r.unsupported?.length) {
      const n = r.unsupported.length;
      extra.appendChild(
        h('p', { class: 'pc-note pc-note--warn' }, icon('alert'), h('span', null, `${n} ${n === 1 ? 'claim is' : 'claims are'} marked: ${UNSUPPORTED_NOTE}. Check the sources before relying on ${n === 1 ? 'it' : 'them'}.`)),
      );
    }
    if (r.citations.length) {
      const items = h('ol', { class: 'pc-sources' });
      for (const c of r.citations) items.appendChild(h('li', null, paperButton(citationRef(c, turn, ctx), `src-${c.n}`, h('span', { class: 'pc-source-n' }, String(c.n)), ctx)));
      const block = list(aboutAPaper(kind) ? 'The paper asked about' : 'Sources', items);
      block.firstElementChild!.after(ctx.copyReferences(r.citations.map((c) => c.id)));
      extra.appendChild(block);
    }
    if (r.related?.length) {
      const items = h('ul', { class: 'pc-sources pc-sources--related' });
      r.related.forEach((p, i) => items.appendChild(h('li', null, paperButton(p, `rel-${i}`, icon('doc'), ctx))));
      extra.appendChild(list('Related papers, which do not answer the question', items));
    }
    if (r.suggestions?.length && ctx.isLast(turn)) {
      const items = h('ul', { class: 'pc-suggestions' });
      r.suggestions.forEach((q, i) => {
        const b = h('button', { type: 'button', class: 'pc-suggestion', 'data-key': `sug-${i}` }, icon('search'), h('span', null, q));
        b.addEventListener('click', () => ctx.ask(q));
        items.appendChild(h('li', null, b));
      });
      extra.appendChild(list('Ask next', items));
    }
  });
}

/** Renders everything but the actions row. */
export function renderTurn(view: TurnView, ctx: TurnContext) {
  if (view.frame) {
    cancelAnimationFrame(view.frame);
    view.frame = 0;
  }
  const kind = abstentionKind(view.turn.result);
  view.el.dataset.status = view.turn.status;
  view.el.classList.toggle('pc-turn--abstained', Boolean(kind));
  if (kind) view.el.dataset.kind = kind;
  else delete view.el.dataset.kind;
  renderState(view);
  renderBody(view, ctx);
  renderExtra(view, ctx);
}
