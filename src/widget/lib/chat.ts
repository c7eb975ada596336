import { ChatError, fetchHealth, fetchPaper, streamChat } from './api.js';
import { createComposer } from './composer.js';
import { clip, createConversation, type Turn } from './conversation.js';
import { citationReport, voteButtons, type FeedbackContext } from './feedback.js';
import { copyReferences } from './references.js';
import { createThreadView } from './thread-view.js';
import { abstentionKind, abstentionLabel } from './turn-view.js';
import type { PaperRef } from './types.js';

export type { PaperRef } from './types.js';

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

/**
 * The controller of a conversation: asks, streams the answer into its turn, stops, retries and
 * resets, and keeps the stored copy in step. Shared by the chat page and the widget, which only
 * differ in the shell around it and in how they show a paper.
 */
export function createChat(o: ChatOptions): Chat {
  const conversation = createConversation(o.storageKey);
  let controller: AbortController | null = null;

  const composer = createComposer({ idPrefix: o.idPrefix, placeholder: o.placeholder, onSubmit: (q) => void ask(q), onStop: () => stop() });
  const askAndFocus = (q: string) => {
    void ask(q);
    composer.input.focus();
  };
  const announce = (text: string) => thread.announce(text);
  /** Feedback controls show once the server's /health says it takes feedback. */
  let takesFeedback = false;
  const feedback: FeedbackContext = { base: o.base, enabled: () => takesFeedback, announce, save: () => conversation.save() };
  const thread = createThreadView(o, {
    openPaper: o.openPaper,
    ask: askAndFocus,
    isLast: conversation.isLast,
    announce,
    retry(turn) {
      remove(turn);
      void ask(turn.q);
    },
    votes: (turn) => voteButtons(turn, feedback),
    report: (turn, id) => citationReport(turn, id, feedback),
    paperUrls: async (ids) => {
      const urls = await Promise.all(ids.map((id) => fetchPaper(o.base, id).then((p) => p.url, () => undefined)));
      return urls.filter((u): u is string => Boolean(u));
    },
    copyReferences: (ids) => copyReferences(o.base, ids, announce),
  });
  void fetchHealth(o.base).then((health) => {
    if (health?.feedback !== true) return;
    takesFeedback = true;
    for (const turn of conversation.turns) if (turn.status === 'done') thread.render(turn);
  });

  function remove(turn: Turn) {
    thread.remove(turn);
    conversation.remove(turn);
    conversation.save();
  }

  function changed() {
    thread.setEmpty(conversation.turns.length === 0);
    composer.setBusy(Boolean(controller));
    o.onState?.({ busy: Boolean(controller), turns: conversation.turns.length });
  }

  async function ask(question: string) {
    const q = clip(question.trim());
    if (!q) return;
    if (controller) stop();
    const messages = conversation.messages(q);
    const turn = conversation.add(q);
    const ac = new AbortController();
    controller = ac;
    thread.mount(turn);
    changed();
    conversation.save();
    thread.announce('Searching the papers…');
    // Earlier turns' suggestions go: only the newest answer offers follow-ups.
    const previous = conversation.turns[conversation.turns.length - 2];
    if (previous) thread.render(previous);
    thread.follow(turn);
    try {
      turn.result = await streamChat(
        o.base,
        messages,
        {
          onSources(sources) {
            turn.sources = sources;
            thread.schedule(turn);
          },
          onDelta(text) {
            turn.text += text;
            thread.schedule(turn);
          },
        },
        ac.signal,
      );
      turn.status = 'done';
      // The answer itself is read from its own live region (aria-busy until now); this adds the outcome.
      const n = turn.result.citations.length;
      const kind = abstentionKind(turn.result);
      thread.announce(kind ? `${abstentionLabel(kind)}.` : `Answer complete, citing ${n} paper${n === 1 ? '' : 's'}.`);
    } catch (e) {
      const err = e instanceof ChatError ? e : new ChatError('error', 'Something went wrong in this page. Try again.');
      if (err.code === 'aborted') {
        turn.status = 'stopped';
        thread.announce('Stopped.');
      } else {
        turn.status = 'error';
        turn.error = { code: err.code, message: err.message };
        thread.announce(err.message);
      }
    } finally {
      if (controller === ac) controller = null;
      // The finished answer (with its sources and follow-ups) is in view, unless the reader scrolled away.
      thread.render(turn, true);
      changed();
      conversation.save();
    }
  }

  function stop() {
    controller?.abort();
    controller = null;
    changed();
  }

  function reset() {
    stop();
    conversation.clear();
    thread.clear();
    changed();
    conversation.save();
    composer.clear();
    thread.announce('New conversation.');
    composer.input.focus();
  }

  for (const turn of conversation.turns) thread.mount(turn);
  changed();
  requestAnimationFrame(thread.toBottom);

  return {
    scroller: thread.scroller,
    composer: composer.form,
    input: composer.input,
    ask: (q) => void ask(q),
    stop,
    reset,
    get busy() {
      return Boolean(controller);
    },
    get turns() {
      return conversation.turns.length;
    },
  };
}
