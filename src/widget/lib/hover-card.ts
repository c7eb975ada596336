import { h, replace } from './dom.js';
import type { PaperRef } from './types.js';

/**
 * The card over a citation chip (pointer hover or keyboard focus): the paper's title and the
 * quoted sentence. Placed in the thread's own coordinates, so it scrolls with the chip and stays
 * inside the panel.
 */
export interface HoverCard {
  el: HTMLElement;
  /** Wires `chip`'s pointer, focus and Escape handling to the card. */
  attach(chip: HTMLElement, ref: PaperRef): void;
  hide(chip?: HTMLElement): void;
}

/** Pointer rest before the card shows (ms). */
const SHOW_DELAY_MS = 200;
/** Widest card, and the gap between it and the chip or the panel's edge (px). */
const MAX_WIDTH_PX = 320;
const GAP_PX = 6;
const EDGE_PX = 8;

export function createHoverCard(scroller: HTMLElement, id: string): HoverCard {
  const card = h('div', { class: 'pc-card', id, role: 'tooltip', hidden: true });
  let timer = 0;

  function place(chip: HTMLElement) {
    const r = chip.getBoundingClientRect();
    const box = scroller.getBoundingClientRect();
    const w = Math.min(MAX_WIDTH_PX, scroller.clientWidth - 2 * EDGE_PX);
    card.style.width = `${w}px`;
    card.style.left = `${Math.max(EDGE_PX, Math.min(r.left - box.left + r.width / 2 - w / 2, scroller.clientWidth - w - EDGE_PX))}px`;
    const below = r.bottom - box.top + scroller.scrollTop + GAP_PX;
    const fitsBelow = r.bottom + GAP_PX + card.offsetHeight < box.bottom;
    card.style.top = `${fitsBelow ? below : Math.max(scroller.scrollTop + 4, r.top - box.top + scroller.scrollTop - GAP_PX - card.offsetHeight)}px`;
  }

  function show(chip: HTMLElement, ref: PaperRef) {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      replace(
        card,
        h('span', { class: 'pc-card-title' }, ref.title),
        ref.quote ? h('q', { class: 'pc-card-quote' }, ref.quote.text) : null,
        h('span', { class: 'pc-card-hint' }, 'Click to read the abstract, the quoted sentence highlighted'),
      );
      card.hidden = false;
      chip.setAttribute('aria-describedby', id);
      place(chip);
    }, SHOW_DELAY_MS);
  }

  function hide(chip?: HTMLElement) {
    clearTimeout(timer);
    card.hidden = true;
    chip?.removeAttribute('aria-describedby');
  }

  return {
    el: card,
    hide,
    attach(chip, ref) {
      chip.addEventListener('pointerenter', (e) => e.pointerType === 'mouse' && show(chip, ref));
      chip.addEventListener('pointerleave', () => hide(chip));
      chip.addEventListener('focus', () => chip.matches(':focus-visible') && show(chip, ref));
      chip.addEventListener('blur', () => hide(chip));
      chip.addEventListener('keydown', (e) => e.key === 'Escape' && !card.hidden && (e.stopPropagation(), hide(chip)));
    },
  };
}
