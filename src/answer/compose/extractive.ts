import type { Paper } from '../../corpus/schema.js';
import type { QuestionIntent } from '../../question/intent.js';
import type { TermStats } from '../../retrieval/term-stats.js';
import { terms } from '../../retrieval/text.js';
import { finalizeCitations } from '../citations.js';
import { numbered, type Composer, type Composition } from './composer.js';
import { scoreSentences, type ScoredSentence } from './sentence-scoring.js';

export interface ExtractiveOptions {
  /** Word budget of an answer. Default 120. */
  maxWords?: number;
  /** Word budget of a "which papers" answer, titles included. Default 150. */
  maxListWords?: number;
  /** Papers listed for a "which papers" question. Default 6. */
  maxListed?: number;
  /** Sentences taken from the best paper for other questions. Default 3. */
  maxSentences?: number;
  /** A listed paper scores at least this fraction of the best paper's retrieval score. Default 0.2. */
  minRelative?: number;
  /** A keyword query gets a list when the second paper scores at least this fraction of the best. Default 0.6. */
  keywordListAt?: number;
}

export interface ExtractiveInput {
  question: string;
  intent: QuestionIntent;
  /** The numbered sources, best first: `sources[i]` is cited as `[i + 1]`. */
  sources: readonly Paper[];
  /** Relevance of each source relative to the best one (1 for the best), aligned with `sources`. */
  relative: readonly number[];
  stats: TermStats;
}

/**
 * Builds an answer from the sources' own sentences, each followed by its citation marker:
 * faithful by construction. A "which papers" question gets one line per relevant paper (its title
 * and the sentence that makes it relevant); any other question gets the best sentences of the
 * best paper (always including one that states the asked number, dataset or name, if one does),
 * plus a close second paper when retrieval cannot tell them apart.
 */
export function composeExtractive(input: ExtractiveInput, options: ExtractiveOptions = {}): string {
  const { maxWords = 120, maxListWords = 150, maxListed = 6, maxSentences = 3, minRelative = 0.2, keywordListAt = 0.6 } = options;
  const qTerms = terms(input.question);
  const scored = input.sources.map((p) => scoreSentences(p.abstract, qTerms, input.stats, input.intent));
  const severalClose = input.intent.keywords && (input.relative[1] ?? 0) >= keywordListAt;
  if (input.intent.list || severalClose) return listAnswer(input, scored, maxListed, minRelative, maxListWords);
  const prose = proseAnswer(input, scored, maxWords, maxSentences);
  const record = input.intent.metadata.length ? recordFacts(input.sources[0]) : '';
  return record ? `${record} [1] ${prose}` : prose;
}

/** What the best paper's record says of its authors and year (JSON corpora carry them), as a sentence. */
function recordFacts(paper: Paper | undefined): string {
  if (!paper || (!paper.authors?.length && paper.year === undefined)) return '';
  const by = paper.authors?.length ? ` is by ${paper.authors.join(', ')}` : '';
  const year = paper.year !== undefined ? `${by ? ' ' : ' is '}from ${paper.year}` : '';
  return `"${paper.title}"${by}${year}.`;
}

function listAnswer(input: ExtractiveInput, scored: ScoredSentence[][], maxListed: number, minRelative: number, maxWords: number): string {
  const listed = input.sources.map((paper, i) => ({ paper, i })).filter(({ i }) => (input.relative[i] ?? 0) >= minRelative).slice(0, maxListed);
  // Share the word budget left after the titles; each line takes its best sentence that fits.
  const titleWords = listed.reduce((sum, { paper }) => sum + paper.title.split(/\s+/).length, 0);
  const perLine = Math.max(15, (maxWords - titleWords) / Math.max(1, listed.length));
  let used = titleWords;
  return listed
    .map(({ paper, i }) => {
      const sentences = scored[i]!;
      const best = Math.max(...sentences.map((s) => s.score));
      // Out of its abstract a line must read on its own: sentences that point back come last.
      const byScore = (a: ScoredSentence, b: ScoredSentence) => Number(b.standsAlone) - Number(a.standsAlone) || b.score - a.score || a.index - b.index;
      const fits = sentences.filter((s) => s.score >= best * 0.5 && s.words <= perLine).sort(byScore)[0];
      const shortest = sentences.filter((s) => s.score >= best * 0.8).sort((a, b) => a.words - b.words || a.index - b.index)[0]!;
      const sentence = fits ?? shortest;
      // Past the budget a paper is still listed, by its title alone.
      if (used + sentence.words > maxWords) return `- ${paper.title} [${i + 1}]`;
      used += sentence.words;
      return `- ${paper.title} [${i + 1}]: ${sentence.text}`;
    })
    .join('\n');
}

function proseAnswer(input: ExtractiveInput, scored: ScoredSentence[][], maxWords: number, maxSentences: number): string {
  const parts: { paper: number; sentence: ScoredSentence }[] = [];
  let words = 0;
  const take = (paper: number, sentence: ScoredSentence, force = false) => {
    if (parts.some((p) => p.sentence.text === sentence.text)) return false;
    if (!force && words + sentence.words > maxWords) return false;
    parts.push({ paper, sentence });
    words += sentence.words;
    return true;
  };
  const primary = scored[0] ?? [];
  const ranked = [...primary].sort((a, b) => b.score - a.score || a.index - b.index);
  if (ranked[0]) take(0, ranked[0], true);
  // A second sentence from the same paper when it adds query terms the first lacks.
  const covered = new Set(ranked[0]?.terms ?? []);
  const asked = new Set(terms(input.question));
  // More sentences from the same paper while each adds query terms the earlier ones lack.
  for (const s of ranked.slice(1)) {
    if (parts.length >= maxSentences || s.score < (ranked[0]?.score ?? 0) * 0.5) break;
    if (![...s.terms].some((t) => !covered.has(t) && asked.has(t))) continue;
    if (take(0, s)) for (const t of s.terms) covered.add(t);
  }
  // A close second paper: retrieval scored it nearly as high.
  if (input.sources.length > 1 && (input.relative[1] ?? 0) >= 0.85) {
    const second = [...scored[1]!].sort((a, b) => b.score - a.score || a.index - b.index)[0];
    if (second) take(1, second);
  }
  // Same-paper sentences in the abstract's order, so the prose reads as the authors wrote it.
  parts.sort((a, b) => a.paper - b.paper || a.sentence.index - b.sentence.index);
  return parts.map((p) => `${p.sentence.text} [${p.paper + 1}]`).join(' ');
}

/** Splits text into sentence-sized pieces so an extractive answer streams like a generated one. */
export const pieces = (text: string) => text.match(/[^\n]*?(?:\[\d+\]|\n|$)\s*/g)?.filter(Boolean) ?? [text];

/** The extractive answer as a composer: faithful by construction, never fails. */
export function extractiveComposer(stats: TermStats, options: ExtractiveOptions = {}): Composer {
  return {
    mode: 'extractive',
    async *compose(input): AsyncGenerator<string, Composition> {
      const text = composeExtractive({ ...input, stats }, options);
      const final = finalizeCitations(text, numbered(input.sources));
      for (const piece of pieces(final.answer)) yield piece;
      return { kind: 'answer', mode: 'extractive', ...final };
    },
  };
}
