import { terms } from '../retrieval/text.js';

/**
 * Questions that ask for the paper that first introduced something: "which paper introduced X",
 * "the original X paper", "where was X first proposed", "the X paper itself, not one that uses it".
 * A paper that only uses, cites or builds on X does not answer them.
 */
const ASKS_ORIGIN_PAPER =
  /\b(which|what) (paper|work|article|publication)s? (first |originally |initially )?(introduced|proposed|invented|presented|came up with|coined|defined)\b|\b(the |an? )?original\b[^?.]{0,50}\b(paper|work|article|publication)\b|\bthe paper that (first |originally )?(introduced|proposed|presented)\b|\b(paper|work) itself\b|\bnot (one|a paper|papers|work) that (uses|use|cites|cite|builds on|build on|applies|apply)\b/i;
/** "Where was X first proposed?": an origin too, unless it asks who (a name, which a citing abstract may give). */
const ASKS_ORIGIN_EVENT = /\b(first|originally) (introduced|proposed|presented|described)\b|\bcame up with\b/i;
const ASKS_WHO = /^\s*who\b/i;

/** Words of the origin phrasing itself; what remains of the question names the thing asked about. */
const ORIGIN_TERMS = new Set(
  terms('original originally first initially introduced proposed invented presented came come coined defined itself paper work article publication cites builds applies mechanism idea technique method'),
);

/**
 * The analyzed terms naming what an origin question asks about ("which paper introduced
 * sharpness-aware minimization?" -> sharp, awar, minim), or null when the question does not ask
 * for an origin or names nothing.
 */
export function askedOrigin(question: string): string[] | null {
  const asks = ASKS_ORIGIN_PAPER.test(question) || (ASKS_ORIGIN_EVENT.test(question) && !ASKS_WHO.test(question));
  if (!asks) return null;
  // "..., not one that uses it" names what is not wanted.
  const rest = question.replace(/\bnot (?:one|a paper|papers|work)s? that [^?.,;]*/gi, ' ');
  const named = [...new Set(terms(rest))].filter((t) => !ORIGIN_TERMS.has(t));
  return named.length ? named : null;
}
