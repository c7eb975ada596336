import { z } from 'zod';
import { splitSentences } from '../corpus/sentences.js';
import type { Paper } from '../corpus/schema.js';
import type { Retriever } from '../retrieval/retriever.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { STOP_WORDS, terms, words } from '../retrieval/text.js';
import { checkClaim, denseMatches } from './claims.js';
import { evidence, featureVector, OUTLIER_DEPTH } from './evidence.js';
import { fitLogistic, predict } from './logistic.js';

/**
 * Defaults of the support calibration (one place). The operating points are the share of the
 * collection's own questions the judge must let through; nothing here is fitted to a question set.
 */
export const DEFAULT_CALIBRATION = {
  /** Papers that questions are made from. A sample: the cost does not grow with the collection. */
  papers: 160,
  /** Share of made-up answerable questions the judge lets through when answers are extractive. */
  recall: 0.95,
  /**
   * The same with an LLM, which judges relevance itself (it answers `[NONE]`): the judge then only
   * stops what is clearly unsupported, since a refusal the LLM never saw cannot be undone.
   */
  recallWithLlm: 0.99,
  /** Chance that a sampled paper also adds a question of random words (a question about nothing). */
  nullShare: 1,
  /** Quantile of the near-miss questions' probabilities from which related papers are offered. */
  relatedFrom: 0.25,
  seed: 7,
  /** Abstract sentences that made-up answer claims are written from (claim verification). */
  claimSentences: 300,
  /** Papers those sentences are drawn from: all of a small collection, a sample of a larger one. */
  claimPapers: 1000,
  /** Share of made-up faithful claims that verification must accept. */
  claimRecall: 0.95,
  /** Other papers each made-up claim is checked against as a miscitation (the best-matching ones). */
  claimRivals: 5,
  /** A made-up claim keeps each content word of its sentence with this chance (an answer rewords). */
  claimKeep: 0.6,
  /** ... and adds up to this many words from elsewhere (the answer's own wording). */
  claimAdded: 4,
  /** Made-up claims also checked in the embedder's space, when there is one (each embeds its papers' sentences). */
  claimDense: 100,
  /**
   * A claim the words miss passes on meaning when its cosine to a cited sentence exceeds this share
   * of the miscitations' best cosines: closer than nearly every miscitation gets.
   */
  claimDenseAbove: 0.95,
} as const;
export type CalibrationOptions = Partial<typeof DEFAULT_CALIBRATION>;

const ShareSchema = z.object({ extractive: z.number(), llm: z.number() });

export const CalibrationSchema = z.object({
  version: z.literal(3),
  /** Whether the model reads dense signals: set when the index had an embedder. */
  dense: z.boolean(),
  model: z.object({ mean: z.array(z.number()), scale: z.array(z.number()), weights: z.array(z.number()), bias: z.number() }),
  /** Probability cuts: a question is supported when P(answerable) reaches the cut. */
  cut: z.object({ extractive: z.number(), llm: z.number() }),
  /**
   * An unsupported question is offered its closest papers as "related" only from this probability
   * on: what the made-up questions about a paper the collection lacks, on a topic it covers, reach
   * (their lower quartile). A question below it is not about the collection's topics: its closest papers
   * would be chance matches.
   */
  related: z.number(),
  /** What the fit saw, for the README and for anyone checking a collection. */
  report: z.object({
    positives: z.number().int(),
    negatives: z.number().int(),
    recall: ShareSchema,
    /** Share of made-up unanswerable questions the cut stops. */
    rejected: ShareSchema,
  }),
  /** Claim verification: the support a cited claim needs from its quote (see `verifyAnswer`). */
  claims: z.object({
    minSupport: z.number(),
    /** The cosine a claim needs to a cited sentence to pass on meaning; null without an embedder. */
    minCosine: z.number().nullable(),
    report: z.object({
      positives: z.number().int(),
      negatives: z.number().int(),
      recall: z.number(),
      rejected: z.number(),
      /** The same for words or meaning, over the claims checked in the embedder's space. */
      withDense: z.object({ claims: z.number().int(), recall: z.number(), rejected: z.number() }).nullable(),
    }),
  }),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

/** Deterministic PRNG (mulberry32): the same corpus always calibrates to the same model. */
export function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
/** `n` of `xs` in random order (a Fisher-Yates shuffle of a copy). */
const sample = <T>(rand: Rand, xs: readonly T[], n: number): T[] => {
  const copy = [...xs];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
};
const between = (rand: Rand, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const contentWords = (text: string) => [...new Set(words(text).filter((w) => w.length > 2 && !STOP_WORDS.has(w)))];

/** A made-up question and the analyzed terms it took from its paper. */
export interface PaperQuestion {
  question: string;
  own: string[];
}

/**
 * Questions a reader of `paper` might ask, made from its own text the way people shorten and
 * paraphrase: a few of its keywords, a sentence with half its words dropped, part of its title,
 * a paraphrase that keeps only some of its words, and a long description of the problem. Each is padded with content words from
 * elsewhere in the collection (the question's own wording, which the paper does not share).
 */
export function paperQuestions(paper: Pick<Paper, 'title' | 'abstract'>, filler: readonly string[], rand: Rand): PaperQuestion[] {
  const keywords = contentWords(`${paper.title} ${paper.abstract}`);
  const sentence = pick(rand, splitSentences(paper.abstract).filter((s) => contentWords(s).length >= 4).concat(paper.abstract)).trim();
  const titleWords = contentWords(paper.title);
  const make = (own: string[], maxFiller: number): PaperQuestion => {
    const padding = Array.from({ length: between(rand, 0, maxFiller) }, () => pick(rand, filler));
    return { question: sample(rand, [...own, ...padding], Infinity).join(' '), own: [...new Set(terms(own.join(' ')))] };
  };
  return [
    make(sample(rand, keywords, between(rand, 2, 5)), 3),
    make(contentWords(sentence).filter(() => rand() < 0.5), 3),
    make(titleWords.filter(() => rand() < 0.6).concat(titleWords.length ? [] : keywords.slice(0, 2)), 2),
    make(sample(rand, keywords, between(rand, 2, 4)), 5),
    // A long description of the problem in the asker's own words, sharing a third of them with the paper.
    make(sample(rand, keywords, between(rand, 4, 9)), 16),
  ].filter((q) => q.own.length > 0);
}

/**
 * Calibrates the support judge at ingestion from questions the collection makes itself:
 * positives are questions made from a sampled paper's text, searched in the whole collection;
 * negatives are the same questions with every paper that holds the question's own terms left out
 * (a question about a paper the collection lacks, on a topic it does cover), and questions of
 * random words (about nothing).
 * A logistic model over `evidence()` learns to tell them apart; the cuts let through the share
 * `recall` (`recallWithLlm`) of the positives.
 */
export async function calibrate(retriever: Retriever, stats: TermStats, options: CalibrationOptions = {}): Promise<Calibration> {
  const o = { ...DEFAULT_CALIBRATION, ...options };
  const rand = prng(o.seed);
  // Calibration runs at ingestion, where the collection is in memory.
  const all = retriever.papers;
  if (!all) throw new Error('calibration needs the papers in memory (it runs at ingestion)');
  const byId = new Map(all.map((p) => [p.id, p]));
  const papers = sample(rand, all, o.papers);
  const filler = sample(rand, all, 200).flatMap((p) => contentWords(p.abstract));
  const xs: number[][] = [];
  const ys: (0 | 1)[] = [];
  const add = (x: number[], y: 0 | 1) => (xs.push(x), ys.push(y));
  const nearMissRows: number[] = [];
  const withDense = retriever.dense;
  // Term sets of the papers that appear in the lists, computed once each.
  const termSets = new Map<string, Set<string>>();
  const termsOf = (id: string) => {
    let set = termSets.get(id);
    if (!set) {
      const p = byId.get(id);
      set = new Set(p ? terms(`${p.title} ${p.abstract}`) : []);
      termSets.set(id, set);
    }
    return set;
  };
  for (const paper of papers) {
    for (const { question, own } of paperQuestions(paper, filler, rand)) {
      const qTerms = terms(question);
      const lists = await retriever.lists(question, OUTLIER_DEPTH + 1);
      add(featureVector(evidence(lists, qTerms, stats), withDense), 1);
      // The negative: the same question in a collection without any paper that holds every term
      // the question took from its paper (the paper itself, and any near-copy of it).
      const answers = (id: string) => id === paper.id || own.every((t) => termsOf(id).has(t));
      const without = {
        lexical: lists.lexical.filter((h) => !answers(h.id)),
        dense: lists.dense?.filter((h) => !answers(h.id)) ?? null,
      };
      nearMissRows.push(xs.length);
      add(featureVector(evidence(without, qTerms, stats), withDense), 0);
    }
    if (rand() < o.nullShare) {
      const question = Array.from({ length: between(rand, 2, 12) }, () => pick(rand, filler)).join(' ');
      add(featureVector(evidence(await retriever.lists(question, OUTLIER_DEPTH), terms(question), stats), withDense), 0);
    }
  }
  const model = fitLogistic(xs, ys);
  const scored = xs.map((x, i) => ({ p: predict(model, x), y: ys[i]! }));
  const positives = scored.filter((s) => s.y === 1).map((s) => s.p).sort((a, b) => a - b);
  const negatives = scored.filter((s) => s.y === 0).map((s) => s.p);
  const cutAt = (recall: number) => positives[Math.min(positives.length - 1, Math.max(0, Math.floor((1 - recall) * positives.length)))] ?? 0.5;
  const cut = { extractive: cutAt(o.recall), llm: cutAt(o.recallWithLlm) };
  const nearMisses = nearMissRows.map((i) => scored[i]!.p).sort((a, b) => a - b);
  const related = nearMisses[Math.min(nearMisses.length - 1, Math.floor(o.relatedFrom * nearMisses.length))] ?? 0;
  const share = (xs: number[], f: (p: number) => boolean) => (xs.length ? xs.filter(f).length / xs.length : 0);
  return {
    version: 3,
    dense: withDense,
    model,
    cut,
    related,
    report: {
      positives: positives.length,
      negatives: negatives.length,
      recall: { extractive: share(positives, (p) => p >= cut.extractive), llm: share(positives, (p) => p >= cut.llm) },
      rejected: { extractive: share(negatives, (p) => p < cut.extractive), llm: share(negatives, (p) => p < cut.llm) },
    },
    claims: await calibrateClaims(retriever, all, byId, stats, rand, o),
  };
}

/**
 * Calibrates claim verification from claims the collection makes itself: each is an abstract
 * sentence rewritten the way an answer restates it (two fifths of its content words dropped, a few
 * words from elsewhere added). Checked against its own paper it is a faithful claim; checked
 * against the best-matching other papers (the ones a search for it finds) it is a miscitation.
 * The cut accepts `claimRecall` of the faithful claims.
 */
async function calibrateClaims(retriever: Retriever, all: readonly Paper[], byId: ReadonlyMap<string, Paper>, stats: TermStats, rand: Rand, o: typeof DEFAULT_CALIBRATION): Promise<Calibration['claims']> {
  const filler = sample(rand, all, 100).flatMap((p) => contentWords(p.abstract));
  const pool = all.length <= o.claimPapers ? all : sample(rand, all, o.claimPapers);
  const sentences = pool.flatMap((p) => splitSentences(p.abstract).filter((s) => contentWords(s).length >= 6).map((s) => ({ p, s })));
  const made: { claim: string; own: Paper; rivals: Paper[]; positive: number; negative: number }[] = [];
  for (const { p, s } of sample(rand, sentences, o.claimSentences)) {
    const kept = words(s).filter((w) => STOP_WORDS.has(w) || rand() < o.claimKeep);
    const added = Array.from({ length: between(rand, 0, o.claimAdded) }, () => pick(rand, filler));
    const claim = [...kept, ...added].join(' ');
    const rivals = (await retriever.lists(claim, o.claimRivals + 1, { dense: false })).lexical
      .filter((h) => h.id !== p.id)
      .slice(0, o.claimRivals)
      .map((h) => byId.get(h.id))
      .filter((r): r is Paper => r !== undefined);
    made.push({ claim, own: p, rivals, positive: checkClaim(claim, p, stats).support, negative: Math.max(0, ...rivals.map((r) => checkClaim(claim, r, stats).support)) });
  }
  const positives = made.map((m) => m.positive).sort((a, b) => a - b);
  const minSupport = positives[Math.min(positives.length - 1, Math.max(0, Math.floor((1 - o.claimRecall) * positives.length)))] ?? 0.5;
  const share = <T>(xs: readonly T[], f: (x: T) => boolean) => (xs.length ? xs.filter(f).length / xs.length : 0);

  // In the embedder's space: the cut above nearly every miscitation, and what words-or-meaning does.
  let minCosine: number | null = null;
  let withDense: Calibration['claims']['report']['withDense'] = null;
  const embedder = retriever.embedder;
  if (embedder) {
    const checked = made.slice(0, o.claimDense);
    const match = await denseMatches(embedder, checked.flatMap((m) => [m.own, ...m.rivals].map((paper) => ({ claim: m.claim, paper }))));
    const own = checked.map((m) => match(m.claim, m.own.id)?.cosine ?? 0);
    const rival = checked.map((m) => Math.max(-1, ...m.rivals.map((r) => match(m.claim, r.id)?.cosine ?? -1)));
    const sortedRival = [...rival].sort((a, b) => a - b);
    minCosine = sortedRival[Math.min(sortedRival.length - 1, Math.floor(o.claimDenseAbove * sortedRival.length))] ?? null;
    if (minCosine !== null) {
      const cut = minCosine;
      const passes = (lexical: number, cos: number) => lexical >= minSupport || cos >= cut;
      withDense = {
        claims: checked.length,
        recall: share(checked.map((m, i) => passes(m.positive, own[i]!)), Boolean),
        rejected: share(checked.map((m, i) => !passes(m.negative, rival[i]!)), Boolean),
      };
    }
  }
  return {
    minSupport,
    minCosine,
    report: {
      positives: positives.length,
      negatives: made.length,
      recall: share(positives, (x) => x >= minSupport),
      rejected: share(made, (m) => m.negative < minSupport),
      withDense,
    },
  };
}
