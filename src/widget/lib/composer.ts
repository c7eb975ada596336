import { MAX_MESSAGE_CHARS } from '../../protocol/limits.js';
import { h, icon, replace, setAttrs } from './dom.js';

/**
 * The question box: a labelled, auto-growing textarea (Enter sends, Shift+Enter adds a line) and
 * one button that sends, or stops the answer being written.
 */
export interface Composer {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  /** Shows the send or the stop button. */
  setBusy(busy: boolean): void;
  clear(): void;
}

/** Tallest the textarea grows before it scrolls (px). */
const MAX_INPUT_PX = 200;

export function createComposer(o: { idPrefix: string; placeholder: string; onSubmit(question: string): void; onStop(): void }): Composer {
  const inputId = `${o.idPrefix}-input`;
  const hintId = `${o.idPrefix}-hint`;
  const input = h('textarea', {
    id: inputId,
    class: 'pc-input',
    rows: 1,
    maxlength: MAX_MESSAGE_CHARS,
    placeholder: o.placeholder,
    'aria-describedby': hintId,
    autocomplete: 'off',
    enterkeyhint: 'send',
  });
  const send = h('button', { type: 'submit', class: 'pc-send' });
  const form = h(
    'form',
    { class: 'pc-composer', novalidate: true },
    h('label', { class: 'pc-sr', for: inputId }, 'Ask a question about the papers'),
    h('div', { class: 'pc-field' }, input, send),
    h('p', { class: 'pc-hint', id: hintId }, 'Enter to send, Shift+Enter for a new line'),
  );
  let busy = false;

  function setButton() {
    replace(send, icon(busy ? 'stop' : 'send'));
    const label = busy ? 'Stop generating' : 'Send question';
    setAttrs(send, { 'aria-label': label, title: label, 'data-busy': busy ? 'true' : null });
    send.disabled = !busy && !input.value.trim();
  }

  function autosize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_INPUT_PX)}px`;
  }

  function submit() {
    const q = input.value.trim();
    if (!q) return;
    clear();
    o.onSubmit(q);
  }

  function clear() {
    input.value = '';
    autosize();
  }

  input.addEventListener('input', () => {
    autosize();
    setButton();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      submit();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (busy) o.onStop();
    else submit();
  });
  setButton();

  return {
    form,
    input,
    setBusy(b) {
      busy = b;
      setButton();
    },
    clear,
  };
}
