import type { Paper } from '../corpus/schema.js';
import type { QuestionIntent } from '../question/intent.js';

/** Defaults of follow-up suggestions (one place). */
export const DEFAULT_SUGGESTIONS = {
  /** Suggestions under an answer. */
  count: 3,
  /** A title longer than this many words is shortened to its head. */
  titleWords: 8,
} as const;

/** Datasets or benchmarks named in an abstract: then "which datasets" has an answer. */
const NAMES_DATA = /\b(datasets?|benchmarks?|corpus|corpora)\b|\b(CIFAR|ImageNet|MNIST|SVHN|COCO|GLUE|SQuAD|WMT|Penn Treebank|MS MARCO)/i;

/** How a suggestion names a paper: its title, or the part before a colon when the title is long. */
export function shortTitle(title: string, maxWords: number = DEFAULT_SUGGESTIONS.titleWords): string {
  const head = title.split(':')[0]!.trim();
  if (title.split(/\s+/).length <= maxWords) return title;
  if (head.split(/\s+/).length <= maxWords) return head;
  return `${head.split(/\s+/).slice(0, maxWords - 2).join(' ')}…`;
}

/**
 * Two or three follow-up questions a reader may ask next, made from the papers the answer cited
 * (or, after a refusal, the related papers): what one of them proposes, which datasets it uses
 * (when its abstract names some), how two of them differ, and which other papers share the first
 * one's topic. Every suggestion names papers of the collection, so the collection can answer it;
 * none repeats the question.
 */
export function suggestFollowUps(question: string, intent: QuestionIntent, cited: readonly Paper[], options: Partial<typeof DEFAULT_SUGGESTIONS> = {}): string[] {
  const o = { ...DEFAULT_SUGGESTIONS, ...options };
  const [a, b] = cited;
  if (!a) return [];
  const name = (p: Paper) => `“${shortTitle(p.title, o.titleWords)}”`;
  const out: string[] = [];
  if (cited.length > 1 || intent.list) out.push(`What does ${name(a)} propose?`);
  if (!intent.dataset && NAMES_DATA.test(a.abstract)) out.push(`Which datasets does ${name(a)} evaluate on?`);
  if (b) out.push(`How do ${name(a)} and ${name(b)} differ?`);
  if (!intent.list) out.push(`Which other papers study the topic of ${name(a)}?`);
  const asked = question.trim().toLowerCase();
  return [...new Set(out)].filter((s) => s.toLowerCase() !== asked).slice(0, o.count);
}

/** After a refusal: what the related papers (real near misses) propose. */
export const suggestFromRelated = (related: readonly Pick<Paper, 'title'>[], options: Partial<typeof DEFAULT_SUGGESTIONS> = {}): string[] =>
  related.slice(0, 2).map((p) => `What does “${shortTitle(p.title, options.titleWords)}” propose?`);
