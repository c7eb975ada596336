import { copyButtonFeedback, copyToClipboard } from './clipboard.js';
import { h, iconButton, replace, setAttrs } from './dom.js';
import { plainAnswer } from './format.js';
import { keepFocus, type TurnView } from './turn-view.js';
import type { Turn } from './conversation.js';

/** What the actions row needs from the conversation around it. */
export interface ActionsContext {
  announce(text: string): void;
  retry(turn: Turn): void;
  /** The 👍/👎 pair for a finished answer, or null where feedback is not offered. */
  votes(turn: Turn): HTMLElement | null;
}

function copyAnswer(text: string, ctx: ActionsContext): HTMLButtonElement {
  const copy = iconButton('copy', 'Copy', 'pc-action');
  copy.dataset.key = 'copy';
  setAttrs(copy, { 'aria-label': 'Copy the answer with its references', title: 'Copy the answer with its numbered references' });
  copy.addEventListener('click', async () => copyButtonFeedback(copy, 'copy', 'Copy', await copyToClipboard(text, copy), ctx.announce, 'the answer'));
  return copy;
}

/**
 * The row under a finished answer: copy, retry (for an answer that did not finish), how it was
 * written (extractive, or an LLM answer whose claims were all checked), and 👍/👎.
 */
export function renderActions({ turn, actions }: TurnView, ctx: ActionsContext) {
  const r = turn.result;
  keepFocus(actions, () => {
    replace(actions);
    if (turn.status === 'streaming') return;
    const text = r ? plainAnswer(r.answer, r.citations) : turn.text.trim();
    if (text) actions.appendChild(copyAnswer(text, ctx));
    if (turn.status !== 'done') {
      const retry = iconButton('retry', 'Retry', 'pc-action');
      retry.dataset.key = 'retry';
      retry.addEventListener('click', () => ctx.retry(turn));
      actions.appendChild(retry);
    }
    const votes = ctx.votes(turn);
    if (votes) actions.appendChild(votes);
    if (r?.mode === 'extractive' && !r.abstained) actions.appendChild(h('span', { class: 'pc-mode', title: 'Sentences quoted from the abstracts; no language model' }, 'Extractive'));
    else if (r?.mode === 'llm' && r.verified === 1) actions.appendChild(h('span', { class: 'pc-mode', title: 'Every cited claim was found in the abstract it cites' }, 'Claims checked'));
  });
}
