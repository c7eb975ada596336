import { z } from 'zod';
import { mulberry32 } from '../util/prng.js';
import { quantile } from '../util/quantiles.js';
import type { Paper } from '../corpus/schema.js';
import { weightedRankFusion } from '../retrieval/fusion.js';
import type { RetrievalLists, Retriever } from '../retrieval/retriever.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { readQuestion } from '../question/read.js';
import { calibrateClaims, DEFAULT_CLAIM_CALIBRATION } from './calibrate-claims.js';
import { candidate, coverSignals, coverVector, focusVector, hasFocus } from './features.js';
import { fitLogistic, predict } from './logistic.js';
import { contentWords, madeUpQuestions, sample, type MadeUpQuestion } from './made-up.js';
import { analyzePaper } from './passages.js';
import { valueNear, weighAsk } from './select.js';

/**
 * Defaults of the support calibration (one place). The operating points are shares of the
 * collection's own made-up questions; nothing here is fitted to a question set.
 */
export const DEFAULT_CALIBRATION = {
  /** Defaults to 160: papers questions are made from (a sample: the cost does not grow with the collection). */
  papers: 160,
  /** Defaults to 0.95: share of made-up positives each model's cut lets through (about a paper; stating what is asked). */
  recall: 0.95,
  /** Defaults to 0.25: quantile of questions about a missing paper on a covered topic from which related papers are offered. */
  relatedFrom: 0.25,
  /** Defaults to [0, 0.25, 0.5, 0.75, 1]: dense-list weights tried in the fusion (lexical weighs 1). */
  denseWeights: [0, 0.25, 0.5, 0.75, 1],
  /** Defaults to 0.3: terms standing by a numeral at least this often are kept in `affinity`. */
  affinityFrom: 0.3,
  /** Defaults to 3: ... when they occur at least this often. */
  affinityMin: 3,
  /** Defaults to 6: a name this many terms from a common word or fewer is an instance of that kind. */
  kindWindow: 6,
  /** Defaults to 40: instances kept per kind (the most frequent). */
  kindNames: 40,
  seed: 7,
  ...DEFAULT_CLAIM_CALIBRATION,
};
export type CalibrationOptions = Partial<typeof DEFAULT_CALIBRATION>;

const ModelSchema = z.object({ mean: z.array(z.number()), scale: z.array(z.number()), weights: z.array(z.number()), bias: z.number() });

export const CalibrationSchema = z.object({
  version: z.literal(4),
  /** Whether the cover model reads dense signals: set when the index had an embedder. */
  dense: z.boolean(),
  /** P(the collection covers the question: some paper is what it is about) over `coverVector`, and its cut. */
  cover: z.object({ model: ModelSchema, cut: z.number() }),
  /**
   * P(the paper states what a question with a focus asks for) over `focusVector`, and its cut: one
   * model for questions that want a value, one for those that ask for a thing or assert something.
   */
  focus: z.object({ value: z.object({ model: ModelSchema, cut: z.number() }), thing: z.object({ model: ModelSchema, cut: z.number() }) }),
  /** An uncovered question offers related papers only from this cover probability on. */
  related: z.number(),
  /** Weight of the dense list in the rank fusion (lexical weighs 1), learned from the made-up questions. */
  denseWeight: z.number(),
  /** How often each term stands by a numeral in the collection (terms that often do): asking for one asks a value. */
  affinity: z.record(z.string(), z.number()),
  /**
   * Names the collection writes beside common words ("datasets ... CIFAR-10, ImageNet"): the
   * instances of each kind of thing, so that "which datasets" is answered by a sentence naming one.
   */
  kinds: z.record(z.string(), z.array(z.string())),
  /** What the fit saw, for the README and for anyone checking a collection. */
  report: z.object({
    questions: z.number().int(),
    rows: z.number().int(),
    /** Share of each made-up form decided right (answered, not stated, or not covered). */
    forms: z.record(z.string(), z.number()),
    /** Mean reciprocal rank of the source paper for each dense weight tried. */
    fusion: z.record(z.string(), z.number()),
  }),
  /** Claim verification: the support a cited claim needs from its quote (see `attribute`). */
  claims: z.object({
    minSupport: z.number(),
    minCosine: z.number().nullable(),
    report: z.object({
      positives: z.number().int(),
      negatives: z.number().int(),
      recall: z.number(),
      rejected: z.number(),
      withDense: z.object({ claims: z.number().int(), recall: z.number(), rejected: z.number() }).nullable(),
    }),
  }),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

/** The value at quantile `q` of `xs` (a sorted copy; the lower one), or `empty` when there are none. */
const quantileOr = (xs: readonly number[], q: number, empty: number) => quantile(xs, q) ?? empty;

/** How often each term of the papers stands by a numeral. */
export function numeralAffinity(papers: readonly Paper[], from: number, min: number): Record<string, number> {
  const seen = new Map<string, [number, number]>();
  for (const p of papers) {
    for (const s of analyzePaper(p).sentences) {
      s.sequence.forEach((t, i) => {
        if (/^\d+$/.test(t)) return;
        const c = seen.get(t) ?? [0, 0];
        c[0]++;
        if (valueNear({ sequence: s.sequence.slice(Math.max(0, i - 6), i + 7), numerals: s.numerals.map((n) => n - Math.max(0, i - 6)) }, new Set([t]))) c[1]++;
        seen.set(t, c);
      });
    }
  }
  return Object.fromEntries([...seen].filter(([, [n, near]]) => n >= min && near / n >= from).map(([t, [n, near]]) => [t, Math.round((near / n) * 1000) / 1000]));
}

/**
 * For each common word of the collection (a kind: held by more than `kindShare` of the papers), the
 * names written near it in two papers or more: "three datasets (CIFAR-10, CIFAR-100, ImageNet)" and
 * "on the CIFAR-10 dataset" make CIFAR-10 a dataset.
 */
export function kindInstances(papers: readonly Paper[], stats: TermStats, window: number, keep: number): Record<string, string[]> {
  const kindIdf = weighAsk(readQuestion(''), stats, new Map()).kindIdf;
  // Counted once per paper: a name is an instance of a kind when two papers or more write it beside that kind.
  const seen = new Map<string, Map<string, Set<string>>>();
  for (const p of papers) {
    for (const s of analyzePaper(p).sentences) {
      if (!s.names.size) continue;
      s.sequence.forEach((t, i) => {
        if (s.names.has(t) || stats.idf(t) >= kindIdf || /^\d/.test(t)) return;
        for (let j = Math.max(0, i - window); j <= Math.min(s.sequence.length - 1, i + window); j++) {
          const n = s.sequence[j]!;
          if (!s.names.has(n)) continue;
          const m = seen.get(t) ?? new Map<string, Set<string>>();
          m.set(n, (m.get(n) ?? new Set()).add(p.id));
          seen.set(t, m);
        }
      });
    }
  }
  const kinds: [string, string[]][] = [...seen].map(([t, m]) => [t, [...m].filter(([, ps]) => ps.size >= 2).sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1)).slice(0, keep).map(([n]) => n)]);
  return Object.fromEntries(kinds.filter(([, names]) => names.length));
}

/**
 * Calibrates the support decision at ingestion from questions the collection makes itself
 * (`madeUpQuestions`). The cover model learns, from one search's lists, whether a question is
 * about some paper of the collection: made-up questions about a paper against the same questions
 * searched in a collection without every paper that answers them (the paper and any near-copy),
 * words of papers that no paper holds together, and random words. The focus model learns, for a
 * question that asks for something in particular, whether the paper states it: things and values
 * the paper states against details of other papers and values it does not state. Each cut lets
 * through `recall` of its positives. The dense weight of the fusion is the one under which the
 * source papers rank best.
 */
export async function calibrate(retriever: Retriever, stats: TermStats, options: CalibrationOptions = {}): Promise<Calibration> {
  const o = { ...DEFAULT_CALIBRATION, ...options };
  const rand = mulberry32(o.seed);
  const all = retriever.papers;
  if (!all) throw new Error('calibration needs the papers in memory (it runs at ingestion)');
  const byId = new Map(all.map((p) => [p.id, p]));
  const termSets = new Map(all.map((p) => [p.id, analyzePaper(p).terms]));
  const exists = (ts: readonly string[]) => all.some((p) => ts.every((t) => termSets.get(p.id)!.has(t)));
  const affinity = numeralAffinity(all, o.affinityFrom, o.affinityMin);
  const kinds = kindInstances(all, stats, o.kindWindow, o.kindNames);
  const affinityMap = new Map(Object.entries(affinity));
  const nameIdf = weighAsk(readQuestion(''), stats, affinityMap).nameIdf;
  const rare = (t: string) => stats.has(t) && stats.idf(t) >= nameIdf;
  const filler = sample(rand, all, 200).flatMap((p) => contentWords(p.abstract));
  const questions: MadeUpQuestion[] = sample(rand, all, o.papers).flatMap((p) => madeUpQuestions(p, rand, { filler, others: all.filter((x) => x.id !== p.id), exists, rare, df: (t) => all.filter((x) => termSets.get(x.id)!.has(t)).length }));

  const searched: { q: MadeUpQuestion; lists: RetrievalLists; answering: (id: string) => boolean }[] = [];
  for (const q of questions) {
    const lists = await retriever.lists(q.text, 5);
    const answering = (id: string) => id === q.source.id || (q.own.length > 0 && q.own.every((t) => termSets.get(id)?.has(t)));
    searched.push({ q, lists, answering });
  }
  const fusion: Record<string, number> = {};
  let denseWeight = 0;
  if (retriever.dense) {
    let best = -1;
    for (const w of o.denseWeights) {
      const rr = searched.filter((s) => s.q.answers).map((s) => {
        const at = weightedRankFusion([s.lists.lexical, s.lists.dense ?? []], [1, w]).findIndex((h) => s.answering(h.id));
        return at >= 0 ? 1 / (at + 1) : 0;
      });
      const mrr = rr.reduce((a, b) => a + b, 0) / Math.max(1, rr.length);
      fusion[String(w)] = Math.round(mrr * 10000) / 10000;
      if (mrr > best + 1e-9) [best, denseWeight] = [mrr, w];
    }
  }
  const topOf = (lexical: RetrievalLists['lexical'], dense: RetrievalLists['dense']) =>
    byId.get((dense ? weightedRankFusion([lexical, dense], [1, denseWeight]).map((h) => h.id) : lexical.map((h) => h.id)).find((id) => byId.has(id)) ?? '');

  const cover: { x: number[]; y: 0 | 1; form: string }[] = [];
  const focus: { x: number[]; y: 0 | 1; form: string; value: boolean }[] = [];
  for (const { q, lists, answering } of searched) {
    const ask = weighAsk(readQuestion(q.text), stats, affinityMap);
    cover.push({ x: coverVector(coverSignals(ask, lists, topOf(lists.lexical, lists.dense)), retriever.dense), y: q.identifies ? 1 : 0, form: q.form });
    const c = candidate(ask, q.source);
    if (hasFocus(ask, c) && q.identifies) focus.push({ x: focusVector(c.focus), y: q.answers ? 1 : 0, form: q.form, value: ask.wantsValue });
    if (!q.answers) continue;
    // The same question in a collection without the papers that answer it.
    const without = { lexical: lists.lexical.filter((h) => !answering(h.id)), dense: lists.dense?.filter((h) => !answering(h.id)) ?? null };
    cover.push({ x: coverVector(coverSignals(ask, without, topOf(without.lexical, without.dense)), retriever.dense), y: 0, form: 'absent' });
  }
  const coverModel = fitLogistic(cover.map((r) => r.x), cover.map((r) => r.y));
  const pc = cover.map((r) => predict(coverModel, r.x));
  // The cut lets through `recall` of the questions made from a paper's own words; the harder forms
  // (a false premise, an unknown word) are about a paper too, but do not set how lenient it is.
  const plain = new Set(['keywords', 'span', 'title', 'description']);
  const coverCut = quantileOr(pc.filter((_, i) => cover[i]!.y && plain.has(cover[i]!.form)), 1 - o.recall, 0.5);
  const fitFocus = (rows: typeof focus) => {
    const model = fitLogistic(rows.map((r) => r.x), rows.map((r) => r.y));
    const p = rows.map((r) => predict(model, r.x));
    return { model, cut: quantileOr(p.filter((_, i) => rows[i]!.y), 1 - o.recall, 0.5), p };
  };
  const valueRows = focus.filter((r) => r.value);
  const thingRows = focus.filter((r) => !r.value);
  const value = fitFocus(valueRows);
  const thing = fitFocus(thingRows);
  const related = quantileOr(pc.filter((_, i) => cover[i]!.form === 'absent'), o.relatedFrom, 1);
  const forms: Record<string, number> = {};
  const share = (rows: { y: 0 | 1; form: string }[], p: number[], cut: number, prefix: string) => {
    for (const form of new Set(rows.map((r) => r.form))) {
      const at = rows.map((r, i) => [r, p[i]!] as const).filter(([r]) => r.form === form);
      forms[`${prefix}${form}`] = Math.round((at.filter(([r, x]) => (x >= cut ? 1 : 0) === r.y).length / Math.max(1, at.length)) * 1000) / 1000;
    }
  };
  share(cover, pc, coverCut, 'cover ');
  share(valueRows, value.p, value.cut, 'value ');
  share(thingRows, thing.p, thing.cut, 'thing ');
  return {
    version: 4,
    dense: retriever.dense,
    cover: { model: coverModel, cut: coverCut },
    focus: { value: { model: value.model, cut: value.cut }, thing: { model: thing.model, cut: thing.cut } },
    related,
    denseWeight,
    affinity,
    kinds,
    report: { questions: questions.length, rows: cover.length + focus.length, forms, fusion },
    claims: await calibrateClaims(retriever, all, byId, stats, rand, o),
  };
}
