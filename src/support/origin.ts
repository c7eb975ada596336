import type { Paper } from '../corpus/schema.js';
import { analyzedSentences } from '../retrieval/analyzed-sentences.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { terms } from '../retrieval/text.js';

/** Defaults of the origin check (one place). */
export const DEFAULT_ORIGIN = {
  /** Share of the asked thing's IDF mass that what a sentence says the authors introduce must hold. */
  introduced: 0.5,
  /** Share that the title's head (before a colon) must hold: a name in a title may be someone else's ("Beyond X"). */
  title: 0.8,
  /** Words after "we propose" read as what is proposed. */
  window: 12,
} as const;

/** Where the introduced thing ends and something it is compared with or built on begins. */
const NOT_INTRODUCED_PAST = /\b(?:such as|like|including|e\.g\.|than|instead of|rather than|based on|built on|replacement for|alternative to|compared (?:to|with)|over|versus|vs\.?|beyond|inspired by|following)\b/i;

/** Authors introducing something of their own: "we propose", "this paper introduces", "a method called". */
const INTRODUCES = /\b(?:we|this paper|this work|our work|here|us)\b[^.;:]{0,40}?\b(?:propose[sd]?|introduce[sd]?|present(?:s|ed)?|develop(?:s|ed)?|design(?:s|ed)?|formulate[sd]?|coin(?:s|ed)?)\b|\b(?:called|dubbed|named|termed|coined)\b/gi;

/**
 * Does `paper` introduce the thing an origin question asks about (`asked`, analyzed terms)? The
 * head of its title names it, or one of its sentences introduces it as the authors' own: the words
 * after "we propose" / "we introduce" / "called" name it (before any "such as", "than", "based
 * on"). A paper that names it as earlier work ("motivated by the success of X, we propose Y", "a
 * drop-in replacement for X") does not.
 */
export function introduces(paper: Pick<Paper, 'title' | 'abstract'>, asked: readonly string[], stats: TermStats): boolean {
  const mass = stats.mass(asked);
  if (mass <= 0) return false;
  const o = DEFAULT_ORIGIN;
  // The asked thing's most distinctive word must be there: "low-rank" alone is not "LoRA".
  const rarest = asked.reduce((a, b) => (stats.idf(b) > stats.idf(a) ? b : a));
  const share = (text: string) => {
    const found = new Set(terms(text));
    return found.has(rarest) ? stats.mass(asked.filter((t) => found.has(t))) / mass : 0;
  };
  if (share(paper.title.split(':')[0]!) >= o.title) return true;
  const introduced = (rest: string) => rest.split(NOT_INTRODUCED_PAST)[0]!.split(/\s+/).slice(0, o.window + 1).join(' ');
  return analyzedSentences(paper.abstract).some(({ text }) =>
    [...text.matchAll(INTRODUCES)].some((m) => share(introduced(text.slice(m.index! + m[0].length))) >= o.introduced),
  );
}
