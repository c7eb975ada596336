import { h, icon, replace } from './dom.js';
import { createHoverCard } from './hover-card.js';
import { createFollower } from './scroll-follow.js';
import { renderActions, type ActionsContext } from './turn-actions.js';
import { mountTurn, renderTurn, type TurnContext, type TurnView } from './turn-view.js';
import type { Turn } from './conversation.js';

/**
 * The scrolling thread: the empty state with example questions, then one view per turn, a hidden
 * live region for announcements, and the hover card. Renders turns at once or on the next frame
 * (while text streams), keeping the answer being written in view.
 */
export interface ThreadView {
  scroller: HTMLElement;
  announce(text: string): void;
  mount(turn: Turn): void;
  /** Renders `turn` now; `finished` keeps the finished answer in view unless the reader scrolled away. */
  render(turn: Turn, finished?: boolean): void;
  /** Renders `turn` on the next animation frame (many deltas, one render). */
  schedule(turn: Turn): void;
  /** Follows `turn` as it grows, until it finishes or the reader scrolls. */
  follow(turn: Turn): void;
  remove(turn: Turn): void;
  clear(): void;
  setEmpty(empty: boolean): void;
  toBottom(): void;
}

export interface ThreadOptions {
  idPrefix: string;
  examples: readonly string[];
  emptyTitle: string;
  emptyText: string;
  /** Delay before an announcement, so that repeating the same text is still read (ms). */
  announceDelayMs?: number;
}

type Handlers = Omit<TurnContext, 'card'> & ActionsContext;

export function createThreadView(o: ThreadOptions, handlers: Handlers): ThreadView {
  const live = h('div', { class: 'pc-sr', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const thread = h('div', { class: 'pc-thread' });
  const empty = renderEmpty(o, handlers.ask);
  const scroller = h('div', { class: 'pc-scroll' }, empty, thread, live);
  const card = createHoverCard(scroller, `${o.idPrefix}-card`);
  scroller.appendChild(card.el);
  const follower = createFollower(scroller);
  const ctx: TurnContext & ActionsContext = { ...handlers, card };
  const views = new Map<Turn, TurnView>();
  let seq = 0;

  function render(turn: Turn, finished = false) {
    const view = views.get(turn);
    if (!view) return;
    renderTurn(view, ctx);
    renderActions(view, ctx);
    if (finished && follower.isFollowing(view.el)) {
      follower.follow(view.el);
      follower.stop();
    }
  }

  return {
    scroller,
    announce(text) {
      // Cleared first so repeating the same text is still announced.
      live.textContent = '';
      setTimeout(() => (live.textContent = text), o.announceDelayMs ?? 50);
    },
    mount(turn) {
      const view = mountTurn(turn, `${o.idPrefix}-q${++seq}`);
      views.set(turn, view);
      thread.appendChild(view.el);
      render(turn);
    },
    render,
    schedule(turn) {
      const view = views.get(turn);
      if (!view || view.frame) return;
      view.frame = requestAnimationFrame(() => {
        view.frame = 0;
        const following = follower.isFollowing(view.el);
        const stick = !following && follower.pinned();
        render(turn);
        if (following) follower.follow(view.el);
        else if (stick) follower.toBottom();
      });
    },
    follow(turn) {
      const view = views.get(turn);
      if (view) follower.start(view.el);
    },
    remove(turn) {
      views.get(turn)?.el.remove();
      views.delete(turn);
    },
    clear() {
      follower.stop();
      views.clear();
      replace(thread);
    },
    setEmpty(isEmpty) {
      empty.hidden = !isEmpty;
    },
    toBottom: follower.toBottom,
  };
}

function renderEmpty(o: ThreadOptions, ask: (q: string) => void): HTMLElement {
  const list = h('ul', { class: 'pc-examples', 'aria-label': 'Example questions' });
  for (const q of o.examples) {
    const b = h('button', { type: 'button', class: 'pc-example' }, icon('search'), h('span', null, q));
    b.addEventListener('click', () => ask(q));
    list.appendChild(h('li', null, b));
  }
  return h(
    'div',
    { class: 'pc-empty' },
    h('div', { class: 'pc-empty-mark' }, icon('spark')),
    h('h2', { class: 'pc-empty-title' }, o.emptyTitle),
    h('p', { class: 'pc-empty-text' }, o.emptyText),
    list,
  );
}
