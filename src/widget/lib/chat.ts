import { ChatError, streamChat } from './api.js';
import { h, icon, iconButton, replace, setAttrs } from './dom.js';
import { plainAnswer, renderRich, UNSUPPORTED_NOTE } from './format.js';
import type { ChatMessage, ChatResult, Quote, Source } from './types.js';

/** A paper to show: from a chip, a source row or a related paper. */
export interface PaperRef {
  id: string;
  title: string;
  n?: number;
  /** The sentence(s) of its abstract the answer rests on, highlighted when the abstract shows. */
  quote?: Quote;
}

export interface ChatOptions {
  /** Origin of the API, e.g. `https://papers.example.org`. */
  base: string;
  /** sessionStorage key that keeps the conversation across reloads; none keeps nothing. */
  storageKey?: string;
  /** Prefix for element ids (unique per document or shadow root). */
  idPrefix: string;
  examples: readonly string[];
  emptyTitle: string;
  emptyText: string;
  placeholder: string;
  openPaper(ref: PaperRef, trigger: HTMLElement): void;
  /** Called when the conversation starts, ends or empties, and when streaming starts or stops. */
  onState?(state: { busy: boolean; turns: number }): void;
}

type Status = 'streaming' | 'done' | 'stopped' | 'error';

interface Turn {
  q: string;
  status: Status;
  /** Streamed text so far (the final text is `result.answer`). */
  text: string;
  sources: Source[];
  result?: ChatResult;
  error?: { code: string; message: string };
}

interface TurnView {
  turn: Turn;
  el: HTMLElement;
  state: HTMLElement;
  body: HTMLElement;
  extra: HTMLElement;
  actions: HTMLElement;
  frame: number;
}

/** Messages sent for context: the last few completed turns. The server accepts 50 at most. */
const HISTORY_TURNS = 10;
const MAX_CONTENT = 8000;

export interface Chat {
  /** The scrolling thread (empty state, then the turns) and the hidden live region. */
  scroller: HTMLElement;
  composer: HTMLFormElement;
  input: HTMLTextAreaElement;
  ask(question: string): void;
  stop(): void;
  reset(): void;
  readonly busy: boolean;
  readonly turns: number;
}

const clip = (s: string) => (s.length > MAX_CONTENT ? s.slice(0, MAX_CONTENT) : s);

/**
 * The conversation: thread, composer, streaming and persistence. Shared by the chat page and the
 * widget, which only differ in the shell around it and in how they show a paper.
 */
export function createChat(o: ChatOptions): Chat {
  let turns: Turn[] = [];
  const views = new Map<Turn, TurnView>();
  let controller: AbortController | null = null;
  let seq = 0;

  // ---- DOM -------------------------------------------------------------------------------
  const live = h('div', { class: 'pc-sr', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const thread = h('div', { class: 'pc-thread' });
  const empty = renderEmpty();
  const card = h('div', { class: 'pc-card', id: `${o.idPrefix}-card`, role: 'tooltip', hidden: true });
  const scroller = h('div', { class: 'pc-scroll' }, empty, thread, live, card);

  const inputId = `${o.idPrefix}-input`;
  const hintId = `${o.idPrefix}-hint`;
  const input = h('textarea', {
    id: inputId,
    class: 'pc-input',
    rows: 1,
    maxlength: 4000,
    placeholder: o.placeholder,
    'aria-describedby': hintId,
    autocomplete: 'off',
    enterkeyhint: 'send',
  });
  const send = h('button', { type: 'submit', class: 'pc-send' });
  const composer = h(
    'form',
    { class: 'pc-composer', novalidate: true },
    h('label', { class: 'pc-sr', for: inputId }, 'Ask a question about the papers'),
    h('div', { class: 'pc-field' }, input, send),
    h('p', { class: 'pc-hint', id: hintId }, 'Enter to send, Shift+Enter for a new line'),
  );

  function setSendButton() {
    replace(send, icon(controller ? 'stop' : 'send'));
    const label = controller ? 'Stop generating' : 'Send question';
    setAttrs(send, { 'aria-label': label, title: label, 'data-busy': controller ? 'true' : null });
    send.disabled = !controller && !input.value.trim();
  }

  function autosize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
  }

  input.addEventListener('input', () => {
    autosize();
    setSendButton();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      submit();
    }
  });
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    if (controller) stop();
    else submit();
  });

  function submit() {
    const q = input.value.trim();
    if (!q) return;
    input.value = '';
    autosize();
    ask(q);
  }

  function renderEmpty(): HTMLElement {
    const list = h('ul', { class: 'pc-examples', 'aria-label': 'Example questions' });
    for (const q of o.examples) {
      const b = h('button', { type: 'button', class: 'pc-example' }, icon('search'), h('span', null, q));
      b.addEventListener('click', () => {
        ask(q);
        input.focus();
      });
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

  function announce(text: string) {
    // Clear first so repeating the same text is still announced.
    live.textContent = '';
    setTimeout(() => (live.textContent = text), 50);
  }

  const pinned = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 96;
  const toBottom = () => (scroller.scrollTop = scroller.scrollHeight);
  const reducedMotion = () => matchMedia('(prefers-reduced-motion: reduce)').matches;

  /**
   * The turn being answered, while the thread follows it: its answer is kept in view as it grows
   * (its end visible, its question never pushed above the top). Scrolling by hand stops following.
   */
  let following: TurnView | null = null;
  const stopFollowing = () => (following = null);
  for (const type of ['wheel', 'touchmove']) scroller.addEventListener(type, stopFollowing, { passive: true });
  scroller.addEventListener('keydown', (e) => {
    if (/^(ArrowUp|ArrowDown|PageUp|PageDown|Home|End| )$/.test(e.key)) stopFollowing();
  });
  function follow(view: TurnView, smooth = false) {
    const box = scroller.getBoundingClientRect();
    const turnTop = scroller.scrollTop + view.el.getBoundingClientRect().top - box.top - 12;
    const turnBottom = scroller.scrollTop + view.el.getBoundingClientRect().bottom - box.top + 12;
    const top = Math.max(0, Math.min(turnTop, turnBottom - scroller.clientHeight));
    if (Math.abs(top - scroller.scrollTop) < 2) return;
    scroller.scrollTo({ top, behavior: smooth && !reducedMotion() ? 'smooth' : 'auto' });
  }

  // ---- turns -----------------------------------------------------------------------------
  function mount(turn: Turn): TurnView {
    const id = `${o.idPrefix}-q${++seq}`;
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
    const view: TurnView = { turn, el, state, body, extra, actions, frame: 0 };
    views.set(turn, view);
    thread.appendChild(el);
    render(view);
    return view;
  }

  function schedule(view: TurnView) {
    if (view.frame) return;
    view.frame = requestAnimationFrame(() => {
      view.frame = 0;
      const stick = following !== view && pinned();
      render(view);
      if (following === view) follow(view);
      else if (stick) toBottom();
    });
  }

  // A card over a chip (pointer hover or keyboard focus): the paper's title and the quoted sentence.
  const cardId = card.id;
  let cardTimer = 0;
  function showCard(chip: HTMLElement, ref: PaperRef) {
    clearTimeout(cardTimer);
    cardTimer = window.setTimeout(() => {
      replace(
        card,
        h('span', { class: 'pc-card-title' }, ref.title),
        ref.quote ? h('q', { class: 'pc-card-quote' }, ref.quote.text) : null,
        h('span', { class: 'pc-card-hint' }, 'Click to read the abstract, the quoted sentence highlighted'),
      );
      card.hidden = false;
      chip.setAttribute('aria-describedby', cardId);
      // Placed in the thread's own coordinates, so it scrolls with the chip and stays inside the panel.
      const r = chip.getBoundingClientRect();
      const box = scroller.getBoundingClientRect();
      const w = Math.min(320, scroller.clientWidth - 16);
      card.style.width = `${w}px`;
      card.style.left = `${Math.max(8, Math.min(r.left - box.left + r.width / 2 - w / 2, scroller.clientWidth - w - 8))}px`;
      const top = r.bottom - box.top + scroller.scrollTop + 6;
      const fitsBelow = r.bottom + 6 + card.offsetHeight < box.bottom;
      card.style.top = `${fitsBelow ? top : Math.max(scroller.scrollTop + 4, r.top - box.top + scroller.scrollTop - 6 - card.offsetHeight)}px`;
    }, 200);
  }
  function hideCard(chip?: HTMLElement) {
    clearTimeout(cardTimer);
    card.hidden = true;
    chip?.removeAttribute('aria-describedby');
  }

  function chipButton(n: number, ref: PaperRef): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'pc-chip', 'data-key': `chip-${n}`, 'aria-label': `Source ${n}: ${ref.title}` }, String(n));
    b.addEventListener('click', () => {
      hideCard(b);
      o.openPaper(ref, b);
    });
    b.addEventListener('pointerenter', (e) => e.pointerType === 'mouse' && showCard(b, ref));
    b.addEventListener('pointerleave', () => hideCard(b));
    b.addEventListener('focus', () => b.matches(':focus-visible') && showCard(b, ref));
    b.addEventListener('blur', () => hideCard(b));
    b.addEventListener('keydown', (e) => e.key === 'Escape' && !card.hidden && (e.stopPropagation(), hideCard(b)));
    return b;
  }

  function paperButton(ref: PaperRef, key: string, lead: Node): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'pc-source', 'data-key': key }, lead, h('span', { class: 'pc-source-title' }, ref.title));
    b.addEventListener('click', () => o.openPaper(ref, b));
    return b;
  }

  /** Re-renders `fn`'s target, keeping keyboard focus on the equivalent control. */
  function keepFocus(container: HTMLElement, fn: () => void) {
    const root = container.getRootNode() as Document | ShadowRoot;
    const active = root.activeElement;
    const key = active && container.contains(active) ? active.getAttribute('data-key') : null;
    fn();
    if (key) (container.querySelector(`[data-key="${key}"]`) as HTMLElement | null)?.focus();
  }

  function render(view: TurnView) {
    const { turn, el, state, body, extra, actions } = view;
    if (view.frame) {
      cancelAnimationFrame(view.frame);
      view.frame = 0;
    }
    const r = turn.result;
    el.dataset.status = turn.status;
    el.classList.toggle('pc-turn--abstained', Boolean(r?.abstained));

    // State line: progress, abstention, error, stop.
    if (turn.status === 'streaming') {
      replace(
        state,
        h('span', { class: 'pc-spinner', 'aria-hidden': 'true' }),
        turn.sources.length ? `Reading ${turn.sources.length} paper${turn.sources.length === 1 ? '' : 's'}…` : 'Searching the papers…',
      );
    } else if (turn.status === 'error') {
      replace(state, icon('alert'), h('span', null, turn.error?.message ?? 'Something went wrong.'));
    } else if (r?.abstained) {
      replace(state, icon('info'), h('span', null, 'These papers don’t answer that'));
    } else if (turn.status === 'stopped') {
      replace(state, icon('info'), h('span', null, 'Stopped'));
    } else replace(state);
    state.hidden = !state.firstChild;
    state.className = `pc-state pc-state--${turn.status === 'error' ? 'error' : r?.abstained ? 'abstained' : turn.status}`;

    // Body: the final answer with its citations, or the streamed text with the candidate sources.
    body.setAttribute('aria-busy', String(turn.status === 'streaming'));
    keepFocus(body, () => {
      const refs = new Map<number, PaperRef>(
        r ? r.citations.map((c) => [c.n, { id: c.id, title: c.title, n: c.n, ...(c.quote ? { quote: c.quote } : {}) }]) : turn.sources.map((c) => [c.n, { id: c.id, title: c.title, n: c.n }]),
      );
      const text = r ? r.answer : turn.text;
      const flagged = r?.unsupported?.map((u) => u.sentence) ?? [];
      replace(
        body,
        renderRich(
          text,
          (n) => {
            const ref = refs.get(n);
            return ref ? chipButton(n, ref) : null;
          },
          flagged,
        ),
      );
      if (turn.status === 'streaming' && text) {
        let last = body.lastElementChild;
        if (last && /^(UL|OL)$/.test(last.tagName)) last = last.lastElementChild;
        last?.appendChild(h('span', { class: 'pc-caret', 'aria-hidden': 'true' }));
      }
    });

    keepFocus(extra, () => {
      replace(extra);
      if (!r) return;
      if (r.fallback) extra.appendChild(h('p', { class: 'pc-note' }, icon('info'), h('span', null, `Answered from the abstracts directly: ${r.fallback}`)));
      if (r.unsupported?.length) {
        const n = r.unsupported.length;
        extra.appendChild(
          h('p', { class: 'pc-note pc-note--warn' }, icon('alert'), h('span', null, `${n} ${n === 1 ? 'claim is' : 'claims are'} marked: ${UNSUPPORTED_NOTE}. Check the sources before relying on ${n === 1 ? 'it' : 'them'}.`)),
        );
      }
      if (r.citations.length) {
        const list = h('ol', { class: 'pc-sources' });
        for (const c of r.citations) {
          const ref: PaperRef = { id: c.id, title: c.title, n: c.n, ...(c.quote ? { quote: c.quote } : {}) };
          list.appendChild(h('li', null, paperButton(ref, `src-${c.n}`, h('span', { class: 'pc-source-n' }, String(c.n)))));
        }
        extra.appendChild(h('div', { class: 'pc-list' }, h('h3', { class: 'pc-list-title' }, 'Sources'), list));
      }
      if (r.related?.length) {
        const list = h('ul', { class: 'pc-sources pc-sources--related' });
        r.related.forEach((p, i) => list.appendChild(h('li', null, paperButton(p, `rel-${i}`, icon('doc')))));
        extra.appendChild(
          h('div', { class: 'pc-list' }, h('h3', { class: 'pc-list-title' }, 'Related papers, which do not answer the question'), list),
        );
      }
      if (r.suggestions?.length && turn === turns[turns.length - 1]) {
        const list = h('ul', { class: 'pc-suggestions' });
        r.suggestions.forEach((q, i) => {
          const b = h('button', { type: 'button', class: 'pc-suggestion', 'data-key': `sug-${i}` }, icon('search'), h('span', null, q));
          b.addEventListener('click', () => {
            ask(q);
            input.focus();
          });
          list.appendChild(h('li', null, b));
        });
        extra.appendChild(h('div', { class: 'pc-list' }, h('h3', { class: 'pc-list-title' }, 'Ask next'), list));
      }
    });

    keepFocus(actions, () => {
      replace(actions);
      if (turn.status === 'streaming') return;
      const text = r ? plainAnswer(r.answer, r.citations) : turn.text.trim();
      if (text) {
        const copy = iconButton('copy', 'Copy', 'pc-action');
        copy.dataset.key = 'copy';
        setAttrs(copy, { 'aria-label': 'Copy the answer with its references', title: 'Copy the answer with its numbered references' });
        copy.addEventListener('click', () => void copyText(text, copy));
        actions.appendChild(copy);
      }
      if (turn.status !== 'done') {
        const retry = iconButton('retry', 'Retry', 'pc-action');
        retry.dataset.key = 'retry';
        retry.addEventListener('click', () => {
          remove(turn);
          ask(turn.q);
        });
        actions.appendChild(retry);
      }
      if (r?.mode === 'extractive' && !r.abstained) actions.appendChild(h('span', { class: 'pc-mode', title: 'Sentences quoted from the abstracts; no language model' }, 'Extractive'));
      else if (r?.mode === 'llm' && r.verified === 1) actions.appendChild(h('span', { class: 'pc-mode', title: 'Every cited claim was found in the abstract it cites' }, 'Claims checked'));
    });
  }

  async function copyText(text: string, button: HTMLButtonElement) {
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch {
      // Fallback for insecure contexts: a hidden textarea and execCommand.
      const ta = h('textarea', { class: 'pc-sr', 'aria-hidden': 'true', tabindex: -1 });
      ta.value = text;
      button.parentNode?.appendChild(ta);
      ta.select();
      try {
        ok = document.execCommand('copy');
      } catch {
        ok = false;
      }
      ta.remove();
      button.focus();
    }
    replace(button, icon(ok ? 'check' : 'alert'), h('span', null, ok ? 'Copied' : 'Copy failed'));
    announce(ok ? 'Answer copied to the clipboard.' : 'Could not copy the answer.');
    setTimeout(() => replace(button, icon('copy'), h('span', null, 'Copy')), 1600);
  }

  function remove(turn: Turn) {
    views.get(turn)?.el.remove();
    views.delete(turn);
    turns = turns.filter((t) => t !== turn);
    save();
  }

  function history(): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const t of turns.filter((t) => t.result).slice(-HISTORY_TURNS)) {
      // The cited ids travel with the answer, so a follow-up is about exactly those papers.
      const citations = t.result!.citations.map((c) => c.id);
      // The server's signature travels back with its answer, so the LLM may see it as the assistant's words.
      const { signature } = t.result!;
      out.push(
        { role: 'user', content: clip(t.q) },
        { role: 'assistant', content: clip(t.result!.answer), ...(citations.length ? { citations } : {}), ...(signature ? { signature } : {}) },
      );
    }
    return out;
  }

  // ---- flow ------------------------------------------------------------------------------
  function changed() {
    empty.hidden = turns.length > 0;
    setSendButton();
    o.onState?.({ busy: Boolean(controller), turns: turns.length });
  }

  async function ask(question: string) {
    const q = question.trim().slice(0, MAX_CONTENT);
    if (!q) return;
    if (controller) stop();
    const messages: ChatMessage[] = [...history(), { role: 'user', content: q }];
    const turn: Turn = { q, status: 'streaming', text: '', sources: [] };
    turns.push(turn);
    const ac = new AbortController();
    controller = ac;
    const view = mount(turn);
    changed();
    save();
    announce('Searching the papers…');
    // Scroll the thread only (scrollIntoView would scroll the host page under the widget too).
    // Earlier turns' suggestions go: only the newest answer offers follow-ups.
    const previous = turns[turns.length - 2];
    if (previous && views.has(previous)) render(views.get(previous)!);
    following = view;
    requestAnimationFrame(() => following === view && follow(view, true));
    try {
      turn.result = await streamChat(
        o.base,
        messages,
        {
          onSources(sources) {
            turn.sources = sources;
            schedule(view);
          },
          onDelta(text) {
            turn.text += text;
            schedule(view);
          },
        },
        ac.signal,
      );
      turn.status = 'done';
      // The answer itself is read from its own live region (aria-busy until now); this adds the outcome.
      const n = turn.result.citations.length;
      announce(turn.result.abstained ? 'These papers do not answer that.' : `Answer complete, citing ${n} paper${n === 1 ? '' : 's'}.`);
    } catch (e) {
      const err = e instanceof ChatError ? e : new ChatError('error', 'Something went wrong in this page. Try again.');
      if (err.code === 'aborted') {
        turn.status = 'stopped';
        announce('Stopped.');
      } else {
        turn.status = 'error';
        turn.error = { code: err.code, message: err.message };
        announce(err.message);
      }
    } finally {
      if (controller === ac) controller = null;
      if (views.has(turn)) {
        render(view);
        // The finished answer (with its sources and follow-ups) is in view, unless the reader scrolled away.
        if (following === view) follow(view);
      }
      if (following === view) following = null;
      changed();
      save();
    }
  }

  function stop() {
    controller?.abort();
    controller = null;
    changed();
  }

  function reset() {
    stop();
    following = null;
    turns = [];
    views.clear();
    replace(thread);
    changed();
    save();
    input.value = '';
    autosize();
    announce('New conversation.');
    input.focus();
  }

  // ---- persistence -----------------------------------------------------------------------
  function save() {
    if (!o.storageKey) return;
    try {
      if (!turns.length) sessionStorage.removeItem(o.storageKey);
      else sessionStorage.setItem(o.storageKey, JSON.stringify({ v: 1, turns: turns.map((t) => ({ ...t, sources: t.result ? [] : t.sources })) }));
    } catch {
      /* storage full or blocked: the conversation just won't survive a reload */
    }
  }

  function restore() {
    if (!o.storageKey) return;
    try {
      const saved = JSON.parse(sessionStorage.getItem(o.storageKey) ?? 'null') as { v?: number; turns?: Turn[] } | null;
      if (saved?.v !== 1 || !Array.isArray(saved.turns)) return;
      for (const t of saved.turns) {
        if (typeof t?.q !== 'string') continue;
        const turn: Turn = {
          q: t.q,
          status: t.status === 'streaming' ? 'stopped' : t.status,
          text: typeof t.text === 'string' ? t.text : '',
          sources: Array.isArray(t.sources) ? t.sources : [],
          ...(t.result && typeof t.result.answer === 'string' && Array.isArray(t.result.citations) ? { result: t.result } : {}),
          ...(t.error ? { error: t.error } : {}),
        };
        if (turn.status === 'done' && !turn.result) turn.status = 'stopped';
        turns.push(turn);
        mount(turn);
      }
    } catch {
      /* unreadable: start fresh */
    }
  }

  restore();
  changed();
  requestAnimationFrame(toBottom);

  return {
    scroller,
    composer,
    input,
    ask: (q) => void ask(q),
    stop,
    reset,
    get busy() {
      return Boolean(controller);
    },
    get turns() {
      return turns.length;
    },
  };
}
