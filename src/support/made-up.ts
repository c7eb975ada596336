import { pick } from '../util/prng.js';
import type { Paper } from '../corpus/schema.js';
import { splitSentences } from '../corpus/sentences.js';
import { STOP_WORDS, terms, words } from '../retrieval/text.js';
import { analyzePaper, sequenceOf } from './passages.js';
import { valueNear } from './select.js';

/**
 * Questions the collection makes about itself, for calibrating the support decision at ingestion.
 * Each is made from the text of one paper the way readers shorten, reorder and pad what they ask,
 * and says what the right decision is: the paper `answers` it, the question is about the paper but
 * asks what its abstract does not state (`identifies` only), or it is about no paper at all.
 */
export interface MadeUpQuestion {
  text: string;
  /** The paper it was made from (for questions about nothing, the paper its first word came from). */
  source: Paper;
  /** Terms the question took from its paper: another paper holding all of them answers it too. */
  own: string[];
  /** The source (or a paper holding `own`) answers it. */
  answers: boolean;
  /** The question is about the source, answered or not. */
  identifies: boolean;
  /** How it was made, for the calibration report. */
  form: 'keywords' | 'unknown word' | 'unknown topic' | 'span' | 'title' | 'description' | 'target' | 'value' | 'reworded value' | 'premise' | 'negated premise' | 'contradiction' | 'near miss' | 'value miss' | 'false premise' | 'cross' | 'random';
}

export type Rand = () => number;
export { pick };
/** `n` of `xs` in random order (a Fisher-Yates shuffle of a copy). */
export const sample = <T>(rand: Rand, xs: readonly T[], n: number): T[] => {
  const copy = [...xs];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
};
export const between = (rand: Rand, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
/** The content words of a text as written (case kept: "MUVERA", "GPT-3"), each once. */
export function contentWords(text: string): string[] {
  const seen = new Map<string, string>();
  for (const token of text.match(/[\p{L}\p{N}][\p{L}\p{N}-]*[\p{L}\p{N}]/gu) ?? []) {
    const lower = words(token).join(' ');
    if (token.length > 2 && lower && !STOP_WORDS.has(lower) && !/^\d+$/.test(token) && !seen.has(lower)) seen.set(lower, token);
  }
  return [...seen.values()];
}

/** A word no paper contains: letters only, unlike any the collection holds. */
export function unknownWord(rand: Rand): string {
  const letters = 'bcdfghjklmnpqrstvwxz'.split('');
  return Array.from({ length: between(rand, 5, 8) }, () => pick(rand, letters)).join('');
}

export interface MakeOptions {
  /** Content words of other abstracts: the asker's own wording, which the paper does not share. */
  filler: readonly string[];
  /** The other papers, for details a paper does not state and for questions about nothing. */
  others: readonly Paper[];
  /** Whether some paper of the collection holds all these terms (a made-up topic must not exist). */
  exists: (terms: readonly string[]) => boolean;
  /** Whether a term is rare enough to name a paper. */
  rare: (term: string) => boolean;
  /** How many papers hold a term. */
  df: (term: string) => number;
}

/**
 * The made-up questions of one paper. About the paper and answered by it: a few of its keywords, a
 * stretch of a sentence with words dropped, part of its title, a long description of the problem
 * in other words, a thing it names asked for ("what X does it ...") and a value it states ("how
 * many X in it"). About the paper, not answered: a value it does not state and a detail of another
 * paper. About nothing: words of two or three papers that no paper holds together, and random words.
 */
export function madeUpQuestions(paper: Paper, rand: Rand, o: MakeOptions): MadeUpQuestion[] {
  const analyzed = analyzePaper(paper);
  const own = (text: string) => [...new Set(terms(text))];
  const pad = (n: number) => Array.from({ length: between(rand, 0, n) }, () => pick(rand, o.filler));
  const keywords = contentWords(`${paper.title} ${paper.abstract}`);
  const titleWords = contentWords(paper.title);
  const ident = () => sample(rand, titleWords.length ? titleWords : keywords, between(rand, 1, Math.min(3, Math.max(1, titleWords.length))));
  const sentences = splitSentences(paper.abstract).filter((s) => contentWords(s).length >= 4);
  const out: MadeUpQuestion[] = [];
  const add = (parts: string[], form: MadeUpQuestion['form'], answers: boolean, identifies: boolean, taken: string[] = parts) =>
    out.push({ text: parts.join(' ').trim(), source: paper, own: own(taken.join(' ')), answers, identifies, form });
  // The asker's words go between the paper's, which keep their order (words said together stay together).
  const interleave = (own: string[], n: number) => {
    const out = [...own];
    for (const w of pad(n)) out.splice(between(rand, 0, out.length), 0, w);
    return out;
  };
  const inOrder = (n: number) => {
    const seq = contentWords(`${paper.title}. ${paper.abstract}`.split(/(?<=[.!?])\s+/).slice(0, 1 + between(rand, 0, 8)).pop() ?? paper.title);
    const at = between(rand, 0, Math.max(0, seq.length - 12));
    return sample(rand, seq.slice(at, at + 12).map((w, i) => [i, w] as const), n).sort((a, b) => a[0] - b[0]).map(([, w]) => w);
  };
  const kw = inOrder(between(rand, 2, 5));
  if (kw.length) add(interleave(kw, 3), 'keywords', true, true, kw);
  // A word the collection has never seen beside the paper's: the asker's own; in place of its rarest: a topic it lacks.
  const kw2 = inOrder(between(rand, 2, 4));
  if (kw2.length >= 2) {
    add(interleave([...kw2, unknownWord(rand)], 1), 'unknown word', true, true, kw2);
    const rarest = [...kw2].sort((a, b) => o.df(terms(a)[0] ?? '') - o.df(terms(b)[0] ?? ''))[0]!;
    add(kw2.map((w) => (w === rarest ? unknownWord(rand) : w)), 'unknown topic', false, false);
  }
  const sentence = sentences.length ? pick(rand, sentences) : paper.abstract;
  const kept = contentWords(sentence).filter(() => rand() < 0.5);
  if (kept.length) add([...kept, ...pad(3)], 'span', true, true, kept);
  const tw = titleWords.filter(() => rand() < 0.6);
  if (tw.length) add([...tw, ...pad(2)], 'title', true, true, tw);
  const dw = inOrder(between(rand, 4, 9));
  if (dw.length) add(interleave(dw, 16), 'description', true, true, dw);

  // Asked for a thing the paper names, or a value it states (or does not).
  const id = ident();
  const named = contentWords(sentence).filter((w) => !id.includes(w));
  if (named.length) add(['what', ...sample(rand, named, between(rand, 1, 2)), 'does', ...id, ...pad(2)], 'target', true, true, id);
  const measured = new Set(analyzed.sentences.flatMap((s) => s.sequence.filter((t) => !/^\d+$/.test(t) && valueNear(s, new Set([t]), undefined, true))));
  const stated = keywords.filter((w) => measured.has(terms(w)[0] ?? ''));
  const unmeasured = keywords.filter((w) => !measured.has(terms(w)[0] ?? '') && analyzed.terms.has(terms(w)[0] ?? ''));
  if (stated.length) add(['how', 'many', pick(rand, stated), 'in', ...id, ...pad(2)], 'value', true, true, id);
  // The asked thing in the asker's words (not the paper's), located by the rest of the question.
  const valued = analyzed.sentences.filter((s) => s.numerals.length && s.sequence.length >= 5);
  if (valued.length) {
    const rest = contentWords(pick(rand, valued).text).filter((w) => !id.includes(w));
    const located = sample(rand, rest, between(rand, 2, 4));
    if (located.length >= 2) add(['how', 'much', pick(rand, o.filler), 'does', ...located, ...pad(1)], 'reworded value', true, true, located);
  }
  if (unmeasured.length) add(['how', 'many', pick(rand, unmeasured), 'in', ...id, ...pad(2)], 'value miss', false, true, id);

  // A detail of another paper asked of this one: about this paper, not answered by it.
  const other = pick(rand, o.others);
  const run = pick(rand, splitSentences(other.abstract).map((s) => contentWords(s)).filter((s) => s.length >= 3)) ?? [];
  const detail = run.filter((w) => !analyzed.terms.has(terms(w)[0] ?? '')).slice(0, between(rand, 1, 3));
  if (detail.length) add(['what', ...detail, 'does', ...ident(), ...pad(2)], 'near miss', false, true, id);
  // What the question asserts of a paper it names: what the paper says, or what another paper does.
  const rare = titleWords.filter((w) => o.rare(terms(w)[0] ?? ''));
  if (rare.length) {
    const name = sample(rand, rare, 1);
    const says = contentWords(sentence).filter((w) => !titleWords.includes(w)).slice(0, between(rand, 2, 4));
    if (says.length) add(['how', 'does', ...name, ...says, ...pad(1)], 'premise', true, true, name);
    // A premise that is partly the paper's own words: what it does not do, said with what it does.
    const claims = [...run.filter((w) => !analyzed.terms.has(terms(w)[0] ?? '')).slice(0, between(rand, 1, 2)), ...says.slice(0, between(rand, 0, 2))];
    if (claims.some((w) => !analyzed.terms.has(terms(w)[0] ?? ''))) add(['why', 'does', ...name, ...sample(rand, claims, Infinity), ...pad(1)], 'false premise', false, true, name);
    // What the paper says it does without, asserted of it, or asked of it with the negation kept.
    const negating = analyzed.sentences.find((s) => s.negated.size > 0);
    const scoped = negating ? contentWords(negating.text).filter((w) => negating.negated.has(terms(w)[0] ?? '') && !titleWords.includes(w)) : [];
    if (scoped.length) {
      add(['why', 'does', ...name, 'need', ...scoped, ...pad(1)], 'contradiction', false, true, name);
      add(['how', 'does', ...name, 'work', 'without', ...scoped, ...pad(1)], 'negated premise', true, true, name);
    }
  }

  // Words of two or three papers that no paper holds together: a topic the collection lacks.
  const cross = [paper, ...sample(rand, o.others, between(rand, 1, 2))].map((p) => pick(rand, contentWords(p.abstract)));
  if (!o.exists(cross.flatMap((w) => terms(w)))) add(cross, 'cross', false, false);
  add(Array.from({ length: between(rand, 2, 12) }, () => pick(rand, o.filler)), 'random', false, false);
  return out.filter((q) => sequenceOf(q.text).sequence.length > 0);
}
