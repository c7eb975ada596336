import type { Paper } from '../corpus/schema.js';
import type { ChatMessage } from '../protocol/chat.js';
import type { ScoredPassage } from '../support/select.js';

/** The prompt templates (plain text files in `prompts/`), loaded once at start-up. */
export interface PromptTemplates {
  /** System prompt for answering; constant, so a server's prefix cache keeps it. */
  answer: string;
  /** Rewrites the last message as a standalone English search query; `{{history}}`, `{{question}}`. */
  condense: string;
  /** Translates a checked answer into the question's language; `{{question}}`, `{{answer}}`. */
  translate: string;
}

/** Defaults of the answer prompt's excerpts (one place). */
export const DEFAULT_EXCERPTS = {
  /** Defaults to 3: sentences of each source sent to the LLM (the passages that bear on the question). */
  sentences: 3,
  /** Defaults to 90: words of each source's excerpt, title excluded. */
  words: 90,
  /** Defaults to 1: sentences of each source for a list answer (several papers, one line each). */
  listSentences: 1,
  /** Defaults to 45: words of each source's excerpt in a list answer. */
  listWords: 45,
} as const;

/** Fills `{{name}}` placeholders; unknown placeholders are left as they are. */
export function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Escapes text placed inside the excerpts so it cannot pose as their layout. */
const escapeData = (s: string) => s.replace(/</g, '‹').replace(/>/g, '›').replace(/\s+/g, ' ');

/**
 * The numbered excerpts of the answer prompt: each source's title and the sentences that bear on
 * the question (its best passages), in the abstract's order, within a word budget. A small model
 * reads a few hundred tokens in seconds where five whole abstracts take half a minute.
 */
export function formatExcerpts(sources: readonly { n: number; paper: Paper; passages: readonly ScoredPassage[] }[], shape: 'prose' | 'list', d: typeof DEFAULT_EXCERPTS = DEFAULT_EXCERPTS): string {
  const o = shape === 'list' ? { sentences: d.listSentences, words: d.listWords } : d;
  return sources
    .map(({ n, paper, passages }) => {
      const chosen = new Map<number, string>();
      let words = 0;
      for (const p of passages) {
        for (const s of p.sentences) {
          const w = s.text.split(/\s+/).length;
          if (chosen.has(s.index) || chosen.size >= o.sentences || (chosen.size && words + w > o.words)) continue;
          chosen.set(s.index, s.text);
          words += w;
        }
        if (chosen.size >= o.sentences) break;
      }
      const text = [...chosen].sort((a, b) => a[0] - b[0]).map(([, t]) => escapeData(t)).join(' ');
      return `[${n}] ${escapeData(paper.title)}\n${text}`;
    })
    .join('\n\n');
}

/** The conversation so far as plain lines, for the rewrite prompt. */
export function formatHistory(messages: readonly ChatMessage[]): string {
  return messages.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content.replace(/\s+/g, ' ').slice(0, 600)}`).join('\n');
}
