/** The chat page served at `GET /`: a full-window answer engine over the paper abstracts. */
import css from './page.css';
import { chatCss } from './lib/styles.js';
import { createChat, type PaperRef } from './lib/chat.js';
import { fetchHealth } from './lib/api.js';
import { h, icon } from './lib/dom.js';
import { createPaperView } from './lib/paper.js';
import { EXAMPLES } from './lib/examples.js';

const base = location.origin;

document.head.appendChild(h('style', null, chatCss + css));

const newButton = h('button', { type: 'button', class: 'pc-new', title: 'New conversation' }, icon('plus'), h('span', null, 'New conversation'));

const paper = createPaperView({ base, idPrefix: 'pc', closeLabel: 'Close the paper', closeIcon: 'close', onToggle: markCurrent });

const chat = createChat({
  base,
  storageKey: 'paperchat:page',
  idPrefix: 'pc',
  examples: EXAMPLES,
  emptyTitle: 'What do the papers say?',
  emptyText: 'Ask about the research-paper abstracts in this collection. Every answer cites the papers it rests on; click a number to read the abstract.',
  placeholder: 'Ask a question about the papers…',
  openPaper(ref: PaperRef, trigger: HTMLElement) {
    lastTrigger = trigger;
    paper.open(ref, trigger);
    markCurrent();
  },
  onState({ turns }) {
    newButton.disabled = turns === 0;
  },
});

let lastTrigger: HTMLElement | null = null;
/** Highlights the chip or source whose paper is on show. */
function markCurrent() {
  for (const el of document.querySelectorAll('.pc-chip[aria-current], .pc-source[aria-current]')) el.removeAttribute('aria-current');
  if (paper.isOpen && lastTrigger) lastTrigger.setAttribute('aria-current', 'true');
}

newButton.addEventListener('click', () => {
  paper.close();
  chat.reset();
});
newButton.disabled = chat.turns === 0;

const meta = h('span', { class: 'pc-brand-meta' });
const main = h('main', { class: 'pc-main', id: 'pc-main', 'aria-label': 'Conversation' }, chat.scroller, h('div', { class: 'pc-dock' }, chat.composer));

const app = h(
  'div',
  { class: 'pc-app pc-root' },
  h('a', { class: 'pc-skip', href: '#pc-input' }, 'Skip to the question box'),
  h(
    'header',
    { class: 'pc-header' },
    h('div', { class: 'pc-brand' }, h('span', { class: 'pc-logo', 'aria-hidden': 'true' }, icon('doc')), h('h1', { class: 'pc-brand-name' }, 'Paper chat'), meta),
    h('div', { class: 'pc-header-actions' }, newButton),
  ),
  h('div', { class: 'pc-layout' }, main, paper.el),
);
document.getElementById('app')!.replaceWith(app);

// Escape closes the paper from anywhere; "/" jumps to the question box.
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && paper.isOpen) paper.close();
  else if (e.key === '/' && !(e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLInputElement)) {
    e.preventDefault();
    chat.input.focus();
  }
});

chat.input.focus();

// "224 papers" in the header, when the server says so.
void fetchHealth(base).then((health) => {
  if (typeof health?.papers === 'number') meta.textContent = `${health.papers} paper abstracts`;
});
