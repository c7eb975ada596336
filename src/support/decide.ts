import type { Paper } from '../corpus/schema.js';
import type { Asked } from '../question/read.js';
import type { RetrievalLists, RetrievedPaper } from '../retrieval/retriever.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { stem, STOP_WORDS, words } from '../retrieval/text.js';
import type { Calibration } from './calibrate.js';
import type { Span } from './claims.js';
import { candidate, coverSignals, coverVector, focusVector, hasFocus, type Candidate } from './features.js';
import { predict } from './logistic.js';
import { analyzePaper } from './passages.js';
import { asksKind, namesInstances, weighAsk, type ScoredPassage, type WeightedAsk } from './select.js';

/** Defaults of the decision (one place). */
export const DEFAULT_DECISION = {
  /** Defaults to 5: candidates read for a question that wants one answer. */
  candidates: 5,
  /** Defaults to 8: candidates read for a question that may want several ("which papers", a search-box query). */
  listCandidates: 8,
  /** Defaults to 6: papers a list answer names at most. */
  maxListed: 6,
  /** Defaults to 0.2: a listed paper scores at least this share of the best paper's BM25 score. */
  listFrom: 0.2,
  /** Defaults to 0.6: a search-box query gets a list when its second paper scores at least this share of the best. */
  keywordListFrom: 0.6,
  /** Defaults to 0.85: a second paper joins a one-paper answer when its score is this close to the best (retrieval cannot tell them apart). */
  closeSecond: 0.85,
  /** Defaults to 0.5: when the best paper does not state what is asked, a paper this close to it that does answers instead. */
  standIn: 0.5,
  /** Defaults to 3: related papers offered with an answer the collection does not cover. */
  related: 3,
} as const;
export type DecisionOptions = typeof DEFAULT_DECISION;

/** A paper the answer is written from, with its passages best first. */
export interface AnsweringPaper {
  paper: Paper;
  passages: ScoredPassage[];
}

/**
 * What the collection says to a question, decided once (`decide`):
 * - `answer`: these papers answer it (`shape` says whether as a list);
 * - `not_stated`: the question is about `paper`, whose abstract does not state `missing`;
 * - `false_premise`: the question names `paper` but assumes `missing`, which its abstract never says;
 * - `not_covered`: no paper is what it is about; `related` are close papers on its topic, or none.
 * A follow-up about cited papers is decided per paper: `unstated` are those that do not state it.
 */
export type Decision =
  | { kind: 'answer'; shape: 'prose' | 'list'; papers: AnsweringPaper[]; unstated: AnsweringPaper[]; probability: number; ask: WeightedAsk }
  | { kind: 'not_stated' | 'false_premise'; paper: Paper; missing: string; closest: Span; probability: number; ask: WeightedAsk }
  | { kind: 'not_covered'; related: Paper[]; probability: number; ask: WeightedAsk };

export interface DecideInput {
  asked: Asked;
  lists: RetrievalLists;
  stats: TermStats;
  calibration: Calibration;
  /** Papers the conversation is about (a follow-up about cited papers): they are judged alone. */
  focus?: readonly Paper[];
}

const kindCache = new WeakMap<Calibration, Map<string, Set<string>>>();
/** The calibration's instances of each kind, as sets (built once per calibration). */
function kindsOf(calibration: Calibration): Map<string, Set<string>> {
  let m = kindCache.get(calibration);
  if (!m) kindCache.set(calibration, (m = new Map(Object.entries(calibration.kinds).map(([k, v]) => [k, new Set(v)]))));
  return m;
}

/** Each hit's relevance relative to the best one: BM25 ratios where the lexical list found it, else fused ones. */
function relevance(hits: readonly RetrievedPaper[]): number[] {
  const lexTop = Math.max(0, ...hits.map((h) => h.lexical?.score ?? 0));
  return hits.map((h) => (h.lexical && lexTop > 0 ? h.lexical.score / lexTop : h.score / (hits[0]?.score || 1)));
}

/**
 * Decides whether and how the collection answers a question, in two calibrated steps (`calibrate`):
 * does the collection cover it (some paper is what it is about), and, for a question that asks for
 * something in particular (a target, a value, a person or a date, or an assertion about a paper it
 * names), does the paper state it. Pure.
 */
export function decide(input: DecideInput, options: Partial<DecisionOptions> = {}): Decision {
  const o = { ...DEFAULT_DECISION, ...options };
  const { calibration, lists } = input;
  const ask = weighAsk(input.asked, input.stats, new Map(Object.entries(calibration.affinity)), kindsOf(calibration));
  const states = (c: Candidate) => {
    // Words of another language cannot be looked for in English abstracts: answer from the best match.
    if (!hasFocus(ask, c) || !input.asked.english) return true;
    // A person or a date the record and the abstract do not give cannot be stated.
    if (!c.focus.kind) return false;
    const m = ask.wantsValue ? calibration.focus.value : calibration.focus.thing;
    return predict(m.model, focusVector(c.focus)) >= m.cut || namesKind(ask, c);
  };
  const toPaper = (c: Candidate): AnsweringPaper => ({ paper: c.paper, passages: c.passages });
  if (input.focus?.length) {
    const cands = input.focus.map((p) => candidate(ask, p, true));
    const yes = cands.filter(states);
    if (!yes.length) return unanswered(ask, cands[0]!, 1);
    return { kind: 'answer', shape: cands.length > 1 ? 'list' : 'prose', papers: yes.map(toPaper), unstated: cands.filter((c) => !yes.includes(c)).map(toPaper), probability: 1, ask };
  }
  const hits = lists.fused;
  const covered = predict(calibration.cover.model, coverVector(coverSignals(ask, lists, hits[0]?.paper), calibration.dense));
  // In another language only the names carry over (models, datasets, methods): a paper holding a
  // rare one the question writes is what it is about; the cover model was calibrated in English.
  const byName = !input.asked.english && hits[0] !== undefined && candidate(ask, hits[0].paper).names.length > 0;
  if (!hits.length || (covered < calibration.cover.cut && !byName)) {
    const related = covered >= calibration.related ? hits.slice(0, o.related).map((h) => h.paper) : [];
    return { kind: 'not_covered', related, probability: covered, ask };
  }
  const several = input.asked.plural || input.asked.keywords;
  const top = hits.slice(0, several ? o.listCandidates : o.candidates);
  const rel = relevance(top);
  const cands = top.map((h) => candidate(ask, h.paper));
  if (several && (input.asked.plural || (rel[1] ?? 0) >= o.keywordListFrom)) {
    const listed = cands.filter((c, i) => rel[i]! >= o.listFrom && states(c)).slice(0, o.maxListed);
    if (listed.length > 1) return { kind: 'answer', shape: 'list', papers: listed.map(toPaper), unstated: [], probability: covered, ask };
  }
  const best = cands[0]!;
  if (!states(best)) {
    // A close paper may state what the best one does not (two papers on one method).
    const other = cands.findIndex((c, i) => i > 0 && rel[i]! >= o.standIn && hasFocus(ask, c) && states(c));
    if (other < 0) return unanswered(ask, best, covered);
    return { kind: 'answer', shape: 'prose', papers: [toPaper(cands[other]!)], unstated: [], probability: covered, ask };
  }
  const second = cands[1];
  const close = second && (rel[1] ?? 0) >= o.closeSecond && !input.asked.plural && states(second);
  return { kind: 'answer', shape: 'prose', papers: (close ? [best, second] : [best]).map(toPaper), unstated: [], probability: covered, ask };
}

/** A question that asks for a kind of thing ("which datasets") is stated by a sentence that names instances. */
const namesKind = (ask: WeightedAsk, c: Candidate) => asksKind(ask) && analyzePaper(c.paper).sentences.some((s) => namesInstances(ask, analyzePaper(c.paper), s));

/**
 * The abstention for a question about `c.paper` that its abstract does not answer: `not_stated`
 * when what it asks for (its target, a value, a person or a date) is missing; `false_premise` when
 * it asserts, of a paper it names, what the abstract never says.
 */
function unanswered(ask: WeightedAsk, c: Candidate, probability: number): Decision {
  const closest = c.passages[0]?.sentences ?? [];
  const span: Span = closest.length
    ? { text: c.paper.abstract.slice(closest[0]!.start, closest[closest.length - 1]!.end), start: closest[0]!.start, end: closest[closest.length - 1]!.end }
    : { text: '', start: 0, end: 0 };
  const base = { paper: c.paper, closest: span, probability, ask };
  const absent = c.asked.filter((t) => c.focus.askedInPaper < 1 && !c.passages.some((p) => p.sentences.some((s) => s.terms.has(t))));
  if (ask.target.length) return { kind: 'not_stated', missing: `the ${surface(ask.asked, absent.length ? absent : ask.target)}`, ...base };
  if (!c.focus.kind) return { kind: 'not_stated', missing: ask.asked.wants === 'person' ? 'who wrote it (no authors are given)' : 'when it appeared (no date is given)', ...base };
  if (!c.focus.value) return { kind: 'not_stated', missing: 'the value you asked for', ...base };
  return { kind: 'false_premise', missing: surface(ask.asked, absent.length ? absent : c.asked), ...base };
}

/** The question's own words for a set of terms: its runs of words whose terms are in the set. */
export function surface(asked: Asked, wanted: readonly string[]): string {
  const want = new Set(wanted);
  const runs: string[][] = [];
  let run: string[] = [];
  for (const token of asked.surface) {
    const ws = words(token);
    const hit = ws.length > 0 && ws.some((w) => !STOP_WORDS.has(w) && want.has(stem(w)));
    const glue = ws.length > 0 && ws.every((w) => STOP_WORDS.has(w)) && run.length > 0;
    if (hit) run.push(token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''));
    else if (!glue && run.length) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length) runs.push(run);
  const phrases = [...new Set(runs.map((r) => r.join(' ')))];
  return phrases.length > 1 ? `${phrases.slice(0, -1).join(', ')} or ${phrases[phrases.length - 1]}` : (phrases[0] ?? 'what you asked');
}
