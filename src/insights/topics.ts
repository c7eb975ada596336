import { agnes, type Cluster } from 'ml-hclust';
import type { Embedder } from '../retrieval/embedder.js';
import { STOP_WORDS, stem, words } from '../retrieval/text.js';
import type { Decision, GapRecord } from './store.js';

/** How gaps are grouped into topics (one place; see README "Feedback and coverage gaps"). */
export const DEFAULT_TOPICS = {
  /** Most topics a report shows. Defaults to 20. */
  maxTopics: 20,
  /** Example questions per topic, the most typical first. Defaults to 3. */
  examples: 3,
  /** Words in a topic's label. Defaults to 3. */
  labelWords: 3,
};
export type TopicOptions = typeof DEFAULT_TOPICS;

export interface Topic {
  /** The words that mark the topic, most marking first. */
  label: string;
  /** Questions in it, repeats included. */
  count: number;
  examples: string[];
  /** How its questions were decided: abstention kinds, or `answer` for weakly supported answers. */
  decisions: Partial<Record<Decision, number>>;
}

export interface Topics {
  topics: Topic[];
  /** `embedding` when the embedder placed the questions, `lexical` (TF-IDF of their words) otherwise. */
  method: 'embedding' | 'lexical';
}

interface Question {
  text: string;
  count: number;
  decisions: Partial<Record<Decision, number>>;
  terms: string[];
}

/** The same question asked twice (case, spacing and punctuation aside) is one question counted twice. */
function distinct(gaps: readonly GapRecord[]): Question[] {
  const byKey = new Map<string, Question>();
  for (const g of gaps) {
    const key = words(g.question).join(' ');
    if (!key) continue;
    let q = byKey.get(key);
    if (!q) {
      q = { text: g.question.trim(), count: 0, decisions: {}, terms: words(g.question).filter((w) => !STOP_WORDS.has(w)).map(stem) };
      byKey.set(key, q);
    }
    q.count++;
    q.decisions[g.decision] = (q.decisions[g.decision] ?? 0) + 1;
  }
  return [...byKey.values()];
}

/** TF-IDF vectors of the questions' terms (smoothed idf), unit length, over the terms they use. */
function tfidf(questions: readonly Question[]): { vectors: Float64Array[]; idf: Map<string, number> } {
  const df = new Map<string, number>();
  for (const q of questions) for (const t of new Set(q.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const vocab = [...df.keys()];
  const at = new Map(vocab.map((t, i) => [t, i]));
  const idf = new Map(vocab.map((t) => [t, Math.log((1 + questions.length) / (1 + df.get(t)!)) + 1]));
  const vectors = questions.map((q) => {
    const v = new Float64Array(vocab.length);
    for (const t of q.terms) v[at.get(t)!]! += idf.get(t)!;
    return unit(v);
  });
  return { vectors, idf };
}

function unit(v: Float64Array): Float64Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/**
 * The number of groups to cut the tree into: where the merge heights, from the top down, fall the
 * most from one merge to the next (the widest gap), from 2 to `max` groups. Merges above the gap
 * join groups that are far apart; those below it build each group.
 */
function widestGapCut(tree: Cluster, max: number): number {
  const heights: number[] = [];
  tree.traverse((c) => {
    if (!c.isLeaf) heights.push(c.height);
  });
  heights.sort((a, b) => b - a);
  let best = 2;
  let widest = -Infinity;
  // Cutting into k groups undoes the top k - 1 merges: the gap is heights[k - 2] - heights[k - 1].
  for (let k = 2; k <= max && k - 1 < heights.length; k++) {
    const gap = heights[k - 2]! - heights[k - 1]!;
    if (gap > widest) [widest, best] = [gap, k];
  }
  return best;
}

/** Cosine distances (1 - cosine) of unit vectors. */
function distances(vectors: readonly ArrayLike<number>[]): number[][] {
  const n = vectors.length;
  const d = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = vectors[i]!;
      const b = vectors[j]!;
      let dot = 0;
      for (let k = 0; k < a.length; k++) dot += a[k]! * b[k]!;
      d[i]![j] = d[j]![i] = Math.max(0, 1 - dot);
    }
  }
  return d;
}

/**
 * Groups unanswered questions into topics: average-linkage agglomerative clustering (ml-hclust) of
 * their cosine distances, in the embedder's space when there is one, else over TF-IDF vectors of
 * their words; the tree is cut at the widest gap between successive merge heights (2 to
 * `maxTopics` topics). Each topic is labelled with its highest-weighted words and shows its most typical
 * questions (the closest on average to the others). Biggest topics first.
 */
export async function groupTopics(gaps: readonly GapRecord[], embedder: Embedder | null, options: Partial<TopicOptions> = {}): Promise<Topics> {
  const o = { ...DEFAULT_TOPICS, ...options };
  const questions = distinct(gaps);
  const method = embedder ? 'embedding' : 'lexical';
  if (!questions.length) return { topics: [], method };
  const lexical = tfidf(questions);
  const vectors = embedder ? await embedder.embedDocuments(questions.map((q) => q.text)) : lexical.vectors;
  const d = distances(vectors);
  const labels = questions.map(() => 0);
  let groups = 1;
  if (questions.length > 2) {
    const tree = agnes(d, { method: 'average', isDistanceMatrix: true });
    groups = widestGapCut(tree, Math.min(o.maxTopics, questions.length - 1));
    tree.group(groups).children.forEach((cluster, c) => cluster.indices().forEach((i) => (labels[i] = c)));
  }
  const topics = Array.from({ length: groups }, (_, c) => describe(questions, labels.flatMap((l, i) => (l === c ? [i] : [])), d, lexical.idf, o));
  return { topics: topics.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)), method };
}

/** A topic's label, count, examples and decisions, from its members' indices. */
function describe(questions: readonly Question[], members: readonly number[], d: readonly number[][], idf: ReadonlyMap<string, number>, o: TopicOptions): Topic {
  const weight = new Map<string, number>();
  const decisions: Partial<Record<Decision, number>> = {};
  let count = 0;
  for (const i of members) {
    const q = questions[i]!;
    count += q.count;
    for (const t of new Set(q.terms)) weight.set(t, (weight.get(t) ?? 0) + q.count * idf.get(t)!);
    for (const [k, n] of Object.entries(q.decisions) as [Decision, number][]) decisions[k] = (decisions[k] ?? 0) + n;
  }
  const typical = [...members].sort((a, b) => meanDistance(d, a, members) - meanDistance(d, b, members) || questions[b]!.count - questions[a]!.count);
  const label = [...weight.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, o.labelWords)
    .map(([t]) => surfaceWord(t, members.map((i) => questions[i]!.text)))
    .join(', ');
  return { label: label || '(no topic words)', count, examples: typical.slice(0, o.examples).map((i) => questions[i]!.text), decisions };
}

const meanDistance = (d: readonly number[][], i: number, members: readonly number[]) => members.reduce((s, j) => s + d[i]![j]!, 0) / members.length;

/** The word a stem stands for, as the questions most often write it. */
function surfaceWord(term: string, texts: readonly string[]): string {
  const seen = new Map<string, number>();
  for (const t of texts) for (const w of words(t)) if (stem(w) === term) seen.set(w, (seen.get(w) ?? 0) + 1);
  return [...seen.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? term;
}
