/**
 * Keeps the turn being answered in view while it grows: its end visible, its question never
 * pushed above the top. Scrolling by hand (wheel, touch, scrolling keys) stops following. Only the
 * thread scrolls (scrollIntoView would scroll the host page under the widget too).
 */
export interface Follower {
  /** Follows `el` from now on (smoothly to it first, unless the reader prefers reduced motion). */
  start(el: HTMLElement): void;
  stop(): void;
  isFollowing(el: HTMLElement): boolean;
  /** Scrolls so that `el` is in view as described above. */
  follow(el: HTMLElement, smooth?: boolean): void;
  /** Whether the thread is scrolled (nearly) to its end. */
  pinned(): boolean;
  toBottom(): void;
}

/** How close to the end, in pixels, still counts as at the end. */
const PINNED_PX = 96;
/** Space kept above and below a followed turn. */
const MARGIN_PX = 12;

export function createFollower(scroller: HTMLElement): Follower {
  let following: HTMLElement | null = null;
  const stop = () => (following = null);
  for (const type of ['wheel', 'touchmove']) scroller.addEventListener(type, stop, { passive: true });
  scroller.addEventListener('keydown', (e) => {
    if (/^(ArrowUp|ArrowDown|PageUp|PageDown|Home|End| )$/.test(e.key)) stop();
  });
  const reducedMotion = () => matchMedia('(prefers-reduced-motion: reduce)').matches;

  function follow(el: HTMLElement, smooth = false) {
    const box = scroller.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    const turnTop = scroller.scrollTop + r.top - box.top - MARGIN_PX;
    const turnBottom = scroller.scrollTop + r.bottom - box.top + MARGIN_PX;
    const top = Math.max(0, Math.min(turnTop, turnBottom - scroller.clientHeight));
    if (Math.abs(top - scroller.scrollTop) < 2) return;
    scroller.scrollTo({ top, behavior: smooth && !reducedMotion() ? 'smooth' : 'auto' });
  }

  return {
    start(el) {
      following = el;
      requestAnimationFrame(() => following === el && follow(el, true));
    },
    stop,
    isFollowing: (el) => following === el,
    follow,
    pinned: () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < PINNED_PX,
    toBottom: () => (scroller.scrollTop = scroller.scrollHeight),
  };
}
