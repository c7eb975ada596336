import { ChatError, sendFeedback } from './api.js';
import { h, icon, replace, setAttrs } from './dom.js';
import type { Turn } from './conversation.js';
import type { CitationReport, FeedbackRequest, Vote } from './types.js';

/**
 * Feedback on an answer (`POST /api/feedback`, named by the answer's signature): 👍/👎 under it,
 * and "wrong citation" for each paper it cites (offered where the paper is shown). Only on
 * servers whose /health says `feedback: true`, and only on signed answers. A choice shows as
 * pressed once the server took it, and is kept with the conversation.
 */
export interface FeedbackContext {
  base: string;
  /** Whether the server takes feedback. */
  enabled(): boolean;
  announce(text: string): void;
  /** Stores the conversation (the choices made are part of it). */
  save(): void;
}

const VOTES: readonly [Vote, 'up' | 'down', string][] = [
  ['up', 'up', 'Helpful answer'],
  ['down', 'down', 'Not a helpful answer'],
];
const THANKS = 'Thanks for the feedback.';

const signatureOf = (turn: Turn, ctx: FeedbackContext) => (ctx.enabled() && turn.status === 'done' ? turn.result?.signature : undefined);

async function send(ctx: FeedbackContext, body: FeedbackRequest): Promise<string | null> {
  try {
    await sendFeedback(ctx.base, body);
    return null;
  } catch (e) {
    return e instanceof ChatError && e.code === 'unknown_answer'
      ? 'This server no longer knows this answer, so it cannot take feedback on it.'
      : e instanceof ChatError
        ? e.message
        : 'The feedback could not be sent. Try again.';
  }
}

/** The 👍/👎 pair under a finished answer, or null when feedback is not offered for it. */
export function voteButtons(turn: Turn, ctx: FeedbackContext): HTMLElement | null {
  const signature = signatureOf(turn, ctx);
  if (!signature) return null;
  const note = h('span', { class: 'pc-feedback-note' });
  const group = h('div', { class: 'pc-feedback', role: 'group', 'aria-label': 'Was this answer helpful?' });
  const buttons = VOTES.map(([vote, glyph, label]) => {
    const b = h('button', { type: 'button', class: 'pc-vote', 'data-key': `vote-${vote}`, 'data-vote': vote, 'aria-label': label, title: label }, icon(glyph));
    b.addEventListener('click', async () => {
      if (turn.feedback?.vote === vote || group.hasAttribute('aria-busy')) return;
      group.setAttribute('aria-busy', 'true');
      const failed = await send(ctx, { signature, vote });
      group.removeAttribute('aria-busy');
      if (!failed) {
        turn.feedback = { ...turn.feedback, vote };
        ctx.save();
      }
      note.textContent = failed ?? THANKS;
      note.classList.toggle('pc-feedback-note--error', Boolean(failed));
      ctx.announce(failed ?? THANKS);
      reflect();
    });
    return b;
  });
  const reflect = () => buttons.forEach((b, i) => setAttrs(b, { 'aria-pressed': String(turn.feedback?.vote === VOTES[i]![0]) }));
  reflect();
  group.append(...buttons, note);
  return group;
}

/** "This citation is wrong" for the paper `id` cited by `turn`, or undefined when feedback is not offered. */
export function citationReport(turn: Turn, id: string, ctx: FeedbackContext): CitationReport | undefined {
  const signature = signatureOf(turn, ctx);
  if (!signature) return undefined;
  return {
    get reported() {
      return Boolean(turn.feedback?.wrong?.includes(id));
    },
    async send() {
      const failed = await send(ctx, { signature, vote: 'down', citation: id });
      if (failed) throw new ChatError('feedback', failed);
      turn.feedback = { ...turn.feedback, wrong: [...new Set([...(turn.feedback?.wrong ?? []), id])] };
      ctx.save();
      ctx.announce('Marked as a wrong citation. Thanks for the feedback.');
    },
  };
}

/** The "wrong citation" button where a cited paper is shown (the paper view). */
export function reportButton(report: CitationReport): HTMLElement {
  const note = h('span', { class: 'pc-feedback-note' });
  const b = h('button', { type: 'button', class: 'pc-report' }, icon('flag'), h('span', null, 'Wrong citation'));
  const reflect = () => {
    setAttrs(b, { 'aria-pressed': String(report.reported), title: report.reported ? 'You marked this citation as wrong' : 'This paper does not support what the answer cites it for' });
    if (report.reported) note.textContent = 'Marked as a wrong citation for this answer.';
  };
  b.addEventListener('click', async () => {
    if (report.reported || b.hasAttribute('aria-busy')) return;
    b.setAttribute('aria-busy', 'true');
    try {
      await report.send();
    } catch (e) {
      replace(note, (e as Error).message);
      note.classList.add('pc-feedback-note--error');
    }
    b.removeAttribute('aria-busy');
    reflect();
  });
  reflect();
  return h('p', { class: 'pc-paper-report' }, b, note);
}
