import type { Paper } from '../corpus/schema.js';
import type { RetrievalLists } from '../retrieval/retriever.js';
import { sourceText, unstatedIn } from './claims.js';
import { analyzePaper } from './passages.js';
import { proximity, rankPassages, valueNear, type ScoredPassage, type WeightedAsk } from './select.js';

/** Ranks read by the outlier scores (the top one against the next `OUTLIER_DEPTH - 1`). */
export const OUTLIER_DEPTH = 20;

/** (top - mean) / standard deviation of the scores ranked 2..n; 0 when undefined. */
export function topOutlier(scores: readonly number[]): number {
  const rest = scores.slice(1);
  if (!scores.length || rest.length < 2) return 0;
  const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
  const sd = Math.sqrt(rest.reduce((a, b) => a + (b - mean) ** 2, 0) / rest.length);
  return sd > 0 ? (scores[0]! - mean) / sd : 0;
}

/**
 * Does the collection cover the question at all? What one search's lists say, read the same way at
 * ingestion (on made-up questions) and per question.
 */
export interface CoverSignals {
  /** Top BM25 score per unit of the question's IDF mass: comparable across question lengths. */
  lexicalStrength: number;
  /** Share of the question's IDF mass that the top lexical paper matches. */
  lexicalCoverage: number;
  /** How far the top BM25 score stands out from the next ones (a z-score). */
  lexicalOutlier: number;
  /** log(1 + distinct known terms). */
  terms: number;
  /** Share of the question's IDF mass no paper has (its own wording). */
  unknown: number;
  /** Question words adjacent in the question that stand together in the top paper (1 without pairs). */
  proximity: number;
  /** Share of the question's IDF mass in the top paper's best passage (one or two sentences and the title). */
  passage: number;
  /** Top cosine, how far it stands out, and whether the two lists' best papers agree; null without dense retrieval. */
  dense: { top: number; outlier: number; agreement: number } | null;
}

/** The cover signals of one search for the question, `top` being its best paper. */
export function coverSignals(ask: WeightedAsk, lists: Pick<RetrievalLists, 'lexical' | 'dense'>, top: Paper | undefined): CoverSignals {
  const lex = lists.lexical.slice(0, OUTLIER_DEPTH);
  const first = lex[0];
  const matched = new Set(first?.queryTerms ?? []);
  let matchedMass = 0;
  for (const [t, w] of ask.known) if (matched.has(t)) matchedMass += w;
  // Over the question's whole IDF mass: a word no paper has is a part of the question nothing answers.
  const total = ask.knownMass + ask.unknownMass;
  const dense = lists.dense?.slice(0, OUTLIER_DEPTH) ?? null;
  const inTop3 = (id: string | undefined, list: readonly { id: string }[]) => id !== undefined && list.slice(0, 3).some((h) => h.id === id);
  return {
    lexicalStrength: first && total > 0 ? first.score / total : 0,
    lexicalCoverage: total > 0 ? matchedMass / total : 0,
    lexicalOutlier: topOutlier(lex.map((h) => h.score)),
    terms: Math.log1p(ask.known.size),
    unknown: total > 0 ? ask.unknownMass / total : 0,
    proximity: top ? proximity(ask, analyzePaper(top)) : 0,
    passage: top && total > 0 ? ((rankPassages(ask, analyzePaper(top))[0]?.coverage ?? 0) * ask.knownMass) / total : 0,
    dense: dense ? { top: dense[0]?.score ?? 0, outlier: topOutlier(dense.map((h) => h.score)), agreement: inTop3(first?.id, dense) || inTop3(dense[0]?.id, lex) ? 1 : 0 } : null,
  };
}

export function coverVector(s: CoverSignals, withDense: boolean): number[] {
  const lexical = [s.lexicalStrength, s.lexicalCoverage, s.lexicalOutlier, s.terms, s.unknown, s.proximity, s.passage];
  return withDense ? [...lexical, s.dense?.top ?? 0, s.dense?.outlier ?? 0, s.dense?.agreement ?? 0] : lexical;
}

/**
 * Does this paper state what the question asks for? Read only for a question with a focus: a
 * target ("what batch size ...", "which datasets ..."), a value, person or date it wants, or, for
 * a question that names the paper, what it asserts of it (its premise).
 */
export interface FocusSignals {
  /** Share of the asked terms (the target, else the premise) anywhere in the paper (1 when none). */
  askedInPaper: number;
  /** Share of the asked terms in the paper's best passage for them (1 when none). */
  askedInPassage: number;
  /** The asked terms' share of the question's known IDF mass. */
  askedWeight: number;
  /** 1 when the question asks for a target; 0 for a premise. */
  isTarget: number;
  /** 1 when the question wants no value, or a passage states one by its target or its other words; else 0. */
  value: number;
  /** 1 when the question wants no value, or a passage states one by the question's words other than the target and the paper's name. */
  valueByRest: number;
  /** 1 unless the question wants a person or a date that the paper's record and abstract do not give. */
  kind: number;
  /** IDF share of the question's known terms in the paper's best passage. */
  passageCoverage: number;
  /** Share of the question's other terms (neither asked nor naming the paper) in the passage best for them (1 when none). */
  restInPassage: number;
  /** Those terms' share of the question's known IDF mass. */
  restWeight: number;
  /** Names and numbers of the question the paper never states (the claim checker's `unstatedIn`), at most 2, halved. */
  unstated: number;
  /** The rarest asked term the paper does not hold, as a share of the rarest possible (0 when it holds them all). */
  absentRarity: number;
  /** IDF share of the asked terms whose best passage negates them where the question does not, or asserts them where it negates them. */
  contradicted: number;
}

/** A candidate paper with its passages best first (the closest sentence for an abstention). */
export interface Candidate {
  paper: Paper;
  passages: ScoredPassage[];
  /** The question's names that name this paper (written as names, rare in the collection, held by the paper). */
  names: string[];
  /** What the question asks of it: its target, else (when it names the paper) the premise's terms. */
  asked: string[];
  focus: FocusSignals;
}

/**
 * The focus signals of `paper` for the question. Pure. `referent`: the question refers to this
 * paper ("how much faster is it?" after an answer that cited it), so the paper's title words stand
 * for what the question leaves unsaid when looking for the value it asks.
 */
export function candidate(ask: WeightedAsk, paper: Paper, referent = false): Candidate {
  const analyzed = analyzePaper(paper);
  const passages = rankPassages(ask, analyzed, referent);
  const names = ask.asked.names.filter((t) => (ask.known.get(t) ?? 0) >= ask.nameIdf && analyzed.terms.has(t));
  const asked = ask.target.length ? ask.target : names.length ? [...ask.known.keys()].filter((t) => !names.includes(t) && !analyzed.title.terms.has(t)) : [];
  const has = (t: string) => analyzed.terms.has(t);
  const inPassage = (p: ScoredPassage) => (asked.length ? asked.filter((t) => analyzed.title.terms.has(t) || p.sentences.some((s) => s.terms.has(t))).length / asked.length : 1);
  const bestForAsked = Math.max(0, ...passages.map(inPassage));
  const rest = [...ask.known.keys()].filter((t) => !asked.includes(t) && !names.includes(t));
  const restIn = (p: ScoredPassage) => (rest.length ? rest.filter((t) => p.sentences.some((s) => s.terms.has(t))).length / rest.length : 1);
  // A value must stand by what is asked (the target), else by the question's words other than the paper's name.
  const own = new Set([...ask.known.keys()].filter((t) => !names.includes(t)).concat(referent ? [...analyzed.title.terms] : []));
  const near = (anchors: ReadonlySet<string>) => (!ask.wantsValue || analyzed.sentences.some((s) => valueNear(s, anchors, undefined, ask.asked.count)) ? 1 : 0);
  // "How much faster": the number may stand by the thing compared ("a 2-2.5x decoding speedup"), not by "faster".
  const value = near(new Set([...ask.target, ...own]));
  const valueByRest = near(own);
  const restMass = rest.reduce((m, t) => m + (ask.known.get(t) ?? 0), 0);
  // The passage that best holds what is asked negates it ("without fine-tuning"), or the question
  // negates what the paper asserts ("non-uniform" sampling of a paper that samples uniformly).
  const holding = passages.find((p) => inPassage(p) === bestForAsked)?.sentences ?? [];
  const onlyNegated = (t: string) => holding.some((s) => s.terms.has(t)) && holding.filter((s) => s.terms.has(t)).every((s) => s.negated.has(t) !== ask.negated.has(t));
  const contradictedMass = asked.filter(onlyNegated).reduce((m, t) => m + (ask.known.get(t) ?? 0), 0);
  const wants = ask.asked.wants;
  const kind = wants === 'person' ? Number(Boolean(paper.authors?.length)) : wants === 'time' ? Number(paper.year !== undefined || /\b(19|20)\d\d\b/.test(paper.abstract)) : 1;
  // A target word no paper holds weighs as a rare one.
  const askedMass = asked.reduce((m, t) => m + (ask.known.get(t) ?? ask.nameIdf), 0);
  return {
    paper,
    passages,
    names,
    asked,
    focus: {
      askedInPaper: asked.length ? asked.filter(has).length / asked.length : 1,
      askedInPassage: passages.length ? bestForAsked : 0,
      askedWeight: ask.knownMass + ask.unknownMass > 0 ? askedMass / (ask.knownMass + ask.unknownMass) : 0,
      isTarget: ask.target.length ? 1 : 0,
      value,
      valueByRest,
      kind,
      passageCoverage: passages[0]?.coverage ?? 0,
      restInPassage: passages.length ? Math.max(...passages.map(restIn)) : 0,
      restWeight: ask.knownMass > 0 ? restMass / ask.knownMass : 0,
      contradicted: askedMass > 0 ? contradictedMass / askedMass : 0,
      unstated: Math.min(2, unstatedIn(ask.asked.text, sourceText(paper)).length) / 2,
      absentRarity: Math.max(0, ...asked.filter((t) => !has(t)).map((t) => (ask.known.get(t) ?? ask.nameIdf) / ask.maxIdf)),
    },
  };
}

export const focusVector = (s: FocusSignals): number[] => [s.askedInPaper, s.askedInPassage, s.askedWeight, s.isTarget, s.value, s.valueByRest, s.kind, s.passageCoverage, s.restInPassage, s.restWeight, s.contradicted, s.absentRarity, s.unstated];

/** Whether the question, of this candidate, asks something its abstract can fail to state. */
export const hasFocus = (ask: WeightedAsk, c: Candidate) => c.asked.length > 0 || ask.wantsValue || ask.asked.wants === 'person' || ask.asked.wants === 'time';
