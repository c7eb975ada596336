import type { Asked } from '../question/read.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { sequenceOf, type AnalyzedPaper, type Passage } from './passages.js';

/** Defaults of sentence selection (one place). */
export const DEFAULT_SELECTION = {
  /** Defaults to 5: a numeral this many terms or fewer from an asked term states its value. */
  valueWindow: 5,
  /** Defaults to 3: two question words this many terms apart or fewer in a sentence stand together. */
  nearWindow: 3,
  /** Defaults to 0.5: a target term whose occurrences in the collection stand by a numeral this often asks for a value. */
  valueAffinity: 0.5,
  /** Defaults to 3: a question term held by this many papers or fewer, in a paper's title, names that paper. */
  nameDf: 3,
  /** Defaults to 0.05: a word asked for that this share of the papers or more hold names a kind of thing ("datasets", "tasks"). */
  kindShare: 0.05,
  /** Defaults to 1: what a stated value adds to a passage's rank when the question wants one (a target term adds 1, full coverage 1). */
  valueRank: 1,
} as const;

/** What the question asks in analyzed form, with the weights the collection gives its terms. */
export interface WeightedAsk {
  asked: Asked;
  /** Distinct question terms the collection knows, with their IDF. */
  known: Map<string, number>;
  knownMass: number;
  /** IDF mass of the question terms no paper has (paraphrase, question form, typos). */
  unknownMass: number;
  /** Adjacent known-term pairs of the question, each weighted by its rarer term's IDF. */
  pairs: { a: string; b: string; w: number }[];
  /** Target terms (ones no paper holds included: nothing states them).*/
  target: string[];
  /** The answer must state a value: "how many", or a target the collection states with numbers. */
  wantsValue: boolean;
  /** Terms more common than this (IDF below it: in more than `DEFAULT_SELECTION.kindShare` of the papers) name a kind of thing when asked for. */
  kindIdf: number;
  /** The instances of each kind the collection names (see `kindInstances`). */
  kinds: ReadonlyMap<string, ReadonlySet<string>>;
  /** The IDF of a term no paper holds: the highest there is. */
  maxIdf: number;
  /** Terms the question negates ("without fine-tuning"). */
  negated: ReadonlySet<string>;
  /** Terms this rare (IDF at least this) can name a paper: at most `DEFAULT_SELECTION.nameDf` papers hold them. */
  nameIdf: number;
}

/** Weighs a question's terms by the collection (`affinity`: how often each term stands by a numeral). */
export function weighAsk(asked: Asked, stats: TermStats, affinity: ReadonlyMap<string, number>, kinds: ReadonlyMap<string, ReadonlySet<string>> = new Map()): WeightedAsk {
  const known = new Map<string, number>();
  let unknownMass = 0;
  for (const t of new Set(asked.terms)) {
    if (stats.has(t)) known.set(t, stats.idf(t));
    // In another language most words are unknown to an English collection: that says nothing of the topic.
    else if (asked.english) unknownMass += stats.idf(t);
  }
  const pairs: WeightedAsk['pairs'] = [];
  for (let i = 0; i + 1 < asked.terms.length; i++) {
    const a = asked.terms[i]!;
    const b = asked.terms[i + 1]!;
    if (a !== b && known.has(a) && known.has(b)) pairs.push({ a, b, w: Math.min(known.get(a)!, known.get(b)!) });
  }
  const target = [...new Set(asked.target)];
  const wantsValue = asked.wants === 'number' || target.some((t) => (affinity.get(t) ?? 0) >= DEFAULT_SELECTION.valueAffinity);
  const n = stats.documents;
  const nameIdf = Math.log(1 + (n - DEFAULT_SELECTION.nameDf + 0.5) / (DEFAULT_SELECTION.nameDf + 0.5));
  return { asked, known, knownMass: [...known.values()].reduce((a, b) => a + b, 0), unknownMass, pairs, target, wantsValue, nameIdf, kinds, kindIdf: Math.log(1 + (n - n * DEFAULT_SELECTION.kindShare + 0.5) / (n * DEFAULT_SELECTION.kindShare + 0.5)), maxIdf: Math.log(1 + (n + 0.5) / 0.5), negated: sequenceOf(asked.text).negated };
}

/** A sentence (or two adjacent ones) of an abstract, scored against the question. */
export interface ScoredPassage {
  sentences: Passage[];
  /** IDF share of the question's known terms that the passage or the title holds. */
  coverage: number;
  /** Share of the target's terms the passage or title holds (1 without a target). */
  targetCoverage: number;
  /** A numeral stands by an asked term (only meaningful when the question wants a value). */
  statesValue: boolean;
}

const mass = (ask: WeightedAsk, has: (t: string) => boolean) => {
  let m = 0;
  for (const [t, w] of ask.known) if (has(t)) m += w;
  return ask.knownMass > 0 ? m / ask.knownMass : 0;
};

/** Does a numeral stand within the window of one of `anchors` in the sentence? */
export function valueNear(s: Pick<Passage, 'sequence' | 'numerals'>, anchors: ReadonlySet<string>, window: number = DEFAULT_SELECTION.valueWindow, before = false): boolean {
  if (!s.numerals.length) return false;
  // A count stands before what it counts ("1.4B parameters", "16 GPUs"); another value anywhere near.
  return s.sequence.some((t, i) => anchors.has(t) && s.numerals.some((n) => n !== i && (before ? n < i && i - n <= window : Math.abs(n - i) <= window)));
}

/** Scores one passage of a paper against the question. */
function scorePassage(ask: WeightedAsk, paper: AnalyzedPaper, sentences: Passage[], anchors: ReadonlySet<string>): ScoredPassage {
  const has = (t: string) => paper.title.terms.has(t) || sentences.some((s) => s.terms.has(t));
  const targetCoverage = ask.target.length ? ask.target.filter(has).length / ask.target.length : 1;
  return { sentences, coverage: mass(ask, has), targetCoverage, statesValue: sentences.some((s) => valueNear(s, anchors)) };
}

/**
 * The paper's passages, best first: every sentence and every pair of adjacent sentences, ranked by
 * what the question asks (the target and a stated value first, then coverage of its terms); ties
 * keep the earlier, shorter passage. Pure.
 */
export function rankPassages(ask: WeightedAsk, paper: AnalyzedPaper, referent = false): ScoredPassage[] {
  const s = paper.sentences;
  // A value stands by the target, or by the thing compared ("how much faster": "a 2-2.5x decoding
  // speedup"); in a question that refers to the paper ("how much faster is it?"), by its title's words.
  const anchors = new Set([...ask.target, ...ask.known.keys(), ...(referent ? paper.title.terms : [])]);
  const passages = [...s.map((x) => [x]), ...s.slice(1).map((x, i) => [s[i]!, x])].map((group) => scorePassage(ask, paper, group, anchors));
  const kind = asksKind(ask);
  const rank = (p: ScoredPassage) =>
    p.targetCoverage + (ask.wantsValue && p.statesValue ? DEFAULT_SELECTION.valueRank : 0) + (kind && p.sentences.some((s) => namesInstances(ask, paper, s)) ? 0.5 : 0) + p.coverage;
  return passages.sort((a, b) => rank(b) - rank(a) + (rank(b) === rank(a) ? a.sentences.length - b.sentences.length || a.sentences[0]!.index - b.sentences[0]!.index : 0));
}

/**
 * Whether the question asks for a kind of thing: its target is common words ("which datasets",
 * "what tasks": each held by more than `DEFAULT_SELECTION.kindShare` of the papers).
 */
export const asksKind = (ask: WeightedAsk) => ask.target.length > 0 && !ask.wantsValue && ask.target.every((t) => (ask.known.get(t) ?? Infinity) < ask.kindIdf);

/**
 * Does the sentence name instances of the asked kind: names the collection writes beside that kind
 * (`kinds`, from the calibration) that neither the question nor the paper's title holds?
 */
export function namesInstances(ask: WeightedAsk, paper: AnalyzedPaper, s: Passage): boolean {
  return [...s.names].some((n) => !ask.asked.terms.includes(n) && !paper.title.terms.has(n) && ask.target.some((t) => ask.kinds.get(t)?.has(n)));
}

/** How close question words that stand together in the question stand in the paper (IDF-weighted share; 1 without pairs). */
export function proximity(ask: WeightedAsk, paper: AnalyzedPaper, window: number = DEFAULT_SELECTION.nearWindow): number {
  if (!ask.pairs.length) return 1;
  const near = (seq: readonly string[], a: string, b: string) => {
    for (let i = 0; i < seq.length; i++) {
      if (seq[i] !== a && seq[i] !== b) continue;
      const other = seq[i] === a ? b : a;
      for (let j = Math.max(0, i - window); j <= Math.min(seq.length - 1, i + window); j++) if (seq[j] === other) return true;
    }
    return false;
  };
  const seqs = [paper.title.sequence, ...paper.sentences.map((x) => x.sequence)];
  let got = 0;
  let all = 0;
  for (const { a, b, w } of ask.pairs) {
    all += w;
    if (seqs.some((q) => near(q, a, b))) got += w;
  }
  return all > 0 ? got / all : 1;
}

/** IDF share of the question's known terms anywhere in the paper (title or abstract). */
export const paperCoverage = (ask: WeightedAsk, paper: AnalyzedPaper) => mass(ask, (t) => paper.terms.has(t));
/** IDF share of the question's known terms in the title. */
export const titleCoverage = (ask: WeightedAsk, paper: AnalyzedPaper) => mass(ask, (t) => paper.title.terms.has(t));
