import type { ChatMessage } from '../protocol/chat.js';

/** Words that point back to the papers just discussed ("what datasets did they use?"). */
const BACK_REFERENCE =
  /\b(it|its|it's|they|them|their|theirs|these|those|he|she|his|her)\b|\b(this|that|these|those|same) (paper|papers|work|method|methods|model|models|approach|one|ones|study|framework|technique|system|authors?|results?|architecture|benchmark|dataset)\b|\bthe (paper|papers|authors|study|same)\b|^\s*(and|also|what else|why|how so|in what way|anything else|more on)\b|\b(did|does|do|is|was|were|are|has|have|can|could|would|will) (that|this|these|those)\b|\b(that|this|these|those)\s*[?.!]*\s*$/i;
/** Openings that carry the last question over to a new subject ("what about CNNs?", "same question for CNNs"). */
const CONTINUATION = /^\s*(what|how) about\b|^\s*(and|or) (for|with|in|on)\b|^\s*same (question |thing )?(for|with|in|on|about)\b/i;

export interface Turn {
  /** The last user message. */
  question: string;
  /** Earlier user messages, most recent first. */
  earlierQuestions: string[];
  /**
   * The latest assistant message that cited papers, else the one just before the question, if any.
   * A refusal or an abstention in between discussed no papers, so "they" cannot mean it.
   */
  previousAnswer: string | null;
  /** The paper ids that answer cited, when the client sent them; null when it did not. */
  previousCitations: string[] | null;
  /**
   * `reference`: about the papers just cited ("what datasets did they use?"); `continuation`: the
   * last question asked of a new subject ("what about CNNs?"), so other papers are wanted; null:
   * a question that stands alone.
   */
  followUp: 'reference' | 'continuation' | null;
}

/** Did this assistant turn cite papers: ids sent with it, or `[n]` markers when the client sent none? */
const citesPapers = (m: ChatMessage) => (m.citations ? m.citations.length > 0 : /\[\d+(?:\s*[,;]\s*\d+)*\]/.test(m.content));

/**
 * Reads the conversation: the new question, what came before, and whether it is a follow-up. A
 * question leans on the conversation only when its words refer back to it; anything else is read
 * as it would be alone.
 */
export function readTurn(messages: readonly ChatMessage[]): Turn {
  const last = messages[messages.length - 1]!;
  const earlier = messages.slice(0, -1);
  const earlierQuestions = earlier.filter((m) => m.role === 'user').map((m) => m.content).reverse();
  const answers = earlier.filter((m) => m.role === 'assistant').reverse();
  const previous = answers.find(citesPapers) ?? answers[0];
  const followUp = !earlierQuestions.length
    ? null
    : BACK_REFERENCE.test(last.content)
      ? 'reference'
      : CONTINUATION.test(last.content)
        ? 'continuation'
        : null;
  return {
    question: last.content.trim(),
    earlierQuestions,
    previousAnswer: previous?.content ?? null,
    previousCitations: previous?.citations ?? null,
    followUp,
  };
}

/**
 * The text to retrieve with for this turn: the question alone, or for a follow-up the question
 * plus the earlier question it refers to (so "which datasets did they use?" finds the paper).
 */
export function retrievalQuery(turn: Turn): string {
  if (!turn.followUp) return turn.question;
  return [turn.question, turn.earlierQuestions[0] ?? ''].join('\n').trim();
}
