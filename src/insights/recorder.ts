import type { Answerer } from '../answer/answerer.js';
import type { ChatEvent, ChatMessage, ChatResult, DecisionTrace } from '../protocol/chat.js';
import type { Decision, FeedbackStore } from './store.js';

/** What is recorded, and when an answer counts as weak (one place; see README "Feedback and coverage gaps"). */
export const DEFAULT_RECORDING = {
  /** Record every signed answer (signature → question, citations, verdict), so feedback can name it. Defaults to true (FEEDBACK). */
  answers: true,
  /** Log abstentions and weakly supported answers as coverage gaps. Defaults to true (GAP_LOG). */
  gaps: true,
  /**
   * An answer whose calibrated probability that the collection answers the question is below this is
   * weakly supported, and logged as a gap though it was given. Defaults to 0.5: less likely than not.
   */
  weakBelow: 0.5,
};
export type RecordingOptions = typeof DEFAULT_RECORDING;

/** The decision behind a result: the pipeline's trace when it sent one, else what the result says. */
export function decisionOf(result: ChatResult, trace: DecisionTrace | undefined): { decision: Decision; probability: number | null } {
  if (trace) return { decision: trace.kind, probability: trace.probability };
  return { decision: result.abstained ? (result.abstention?.kind ?? 'not_covered') : 'answer', probability: null };
}

/** A gap: any abstention, or an answer the judge found less likely than `weakBelow` to be supported. */
export const isGap = (decision: Decision, probability: number | null, weakBelow: number) =>
  decision !== 'answer' || (probability !== null && probability < weakBelow);

/**
 * The answerer with its answers recorded: when its `done` event passes, the signed answer (for
 * feedback) and, for a gap, the question (for the coverage report) are written to the store before
 * the event goes on. A store that fails is logged and does not fail the answer.
 *
 * @example
 * const answerer = withRecords(createAnswerer(options), store, { gaps: false });
 */
export function withRecords(answerer: Answerer, store: FeedbackStore, options: Partial<RecordingOptions> = {}, log: (msg: string) => void = console.error): Answerer {
  const o = { ...DEFAULT_RECORDING, ...options };
  async function record(messages: readonly ChatMessage[], event: Extract<ChatEvent, { type: 'done' }>) {
    const question = [...messages].reverse().find((m) => m.role === 'user')?.content.trim() ?? '';
    const { result } = event;
    const { decision, probability } = decisionOf(result, event.trace);
    const at = Date.now();
    if (o.answers && result.signature) {
      await store.recordAnswer({
        signature: result.signature,
        question,
        citations: result.citations.map((c) => c.id),
        abstained: result.abstained,
        verified: result.verified ?? null,
        decision,
        probability,
        at,
      });
    }
    if (o.gaps && question && isGap(decision, probability, o.weakBelow)) await store.logGap({ question, decision, probability, at });
  }
  return {
    label: answerer.label,
    async *answer(messages, opts) {
      for await (const event of answerer.answer(messages, opts)) {
        if (event.type === 'done') {
          await record(messages, event).catch((e: unknown) => log(`records: could not record an answer: ${e instanceof Error ? e.message : String(e)}`));
        }
        yield event;
      }
    },
  };
}
