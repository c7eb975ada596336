import type { Paper } from '../corpus/schema.js';

/** Defaults of follow-up suggestions (one place). */
export const DEFAULT_SUGGESTIONS = {
  /** Defaults to 3: suggestions under an answer. */
  count: 3,
  /** Defaults to 8: a title longer than this many words is shortened to its head. */
  titleWords: 8,
} as const;

/** How a suggestion names a paper: its title, or the part before a colon when the title is long. */
export function shortTitle(title: string, maxWords: number = DEFAULT_SUGGESTIONS.titleWords): string {
  const head = title.split(':')[0]!.trim();
  if (title.split(/\s+/).length <= maxWords) return title;
  if (head.split(/\s+/).length <= maxWords) return head;
  return `${head.split(/\s+/).slice(0, maxWords - 2).join(' ')}…`;
}

/**
 * Follow-up questions a reader may ask next about the papers an answer cited (or, after an
 * abstention, the related ones): what one of them proposes, what it reports, how two of them
 * differ, which other papers share its topic. They are candidates only: the pipeline offers the
 * ones the decision would answer (`answers`), so a suggestion never leads to a refusal. None repeats
 * the question.
 */
export async function suggestFollowUps(
  question: string,
  papers: readonly Paper[],
  answers: (suggestion: string) => Promise<boolean>,
  options: Partial<typeof DEFAULT_SUGGESTIONS> = {},
): Promise<string[]> {
  const o = { ...DEFAULT_SUGGESTIONS, ...options };
  const [a, b] = papers;
  if (!a) return [];
  const name = (p: Paper) => `“${shortTitle(p.title, o.titleWords)}”`;
  const candidates = [
    `What does ${name(a)} propose?`,
    `What results does ${name(a)} report?`,
    ...(b ? [`How do ${name(a)} and ${name(b)} differ?`, `What does ${name(b)} propose?`] : []),
    `Which other papers study the topic of ${name(a)}?`,
  ];
  const asked = question.trim().toLowerCase();
  const out: string[] = [];
  for (const s of [...new Set(candidates)]) {
    if (out.length >= o.count) break;
    if (s.toLowerCase() !== asked && (await answers(s))) out.push(s);
  }
  return out;
}
