import { splitSentences } from '../corpus/sentences.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { terms } from '../retrieval/text.js';
import type { QuestionIntent } from './intent.js';

export interface ScoredSentence {
  text: string;
  /** Position in the abstract, for keeping the abstract's order. */
  index: number;
  words: number;
  /** IDF-weighted share of the question's terms the sentence contains, 0..1. */
  coverage: number;
  /** The sentence states what the question's intent asks for (a number, a dataset, a name). */
  statesAsked: boolean;
  /** Coverage plus the intent bonus: what selection ranks by. */
  score: number;
  terms: Set<string>;
}

const NUMBER_CUE = /\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twice|half|double|triple|fold|order of magnitude|orders of magnitude)\b/i;
const DATASET_CUE = /\b(datasets?|benchmarks?|corpus|corpora)\b|\b[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9-]*\b/;
const NAME_CUE = /\b[A-Z][a-z]*[A-Z][A-Za-z0-9-]*\b|\b[A-Z]{2,}[A-Za-z0-9-]*\b|\b(called|named|dubbed|termed)\b/;

/** Does the sentence carry the kind of fact the question asks for? */
export function statesAskedFact(sentence: string, intent: QuestionIntent): boolean {
  if (intent.number && !NUMBER_CUE.test(sentence)) return false;
  if (intent.dataset && !DATASET_CUE.test(sentence)) return false;
  if (intent.name && !NAME_CUE.test(sentence)) return false;
  return intent.number || intent.dataset || intent.name;
}

/**
 * Scores every sentence of an abstract against the question: IDF-weighted term coverage, plus a
 * bonus when the sentence states the asked kind of fact (a number for "how much", a dataset
 * for "which datasets"). Pure.
 */
export function scoreSentences(abstract: string, questionTerms: readonly string[], stats: TermStats, intent: QuestionIntent): ScoredSentence[] {
  const q = [...new Set(questionTerms)];
  const total = stats.mass(q) || 1;
  const asksFact = intent.number || intent.dataset || intent.name;
  return splitSentences(abstract).map((text, index) => {
    const sentenceTerms = new Set(terms(text));
    const coverage = stats.mass(q.filter((t) => sentenceTerms.has(t))) / total;
    const statesAsked = asksFact && statesAskedFact(text, intent);
    const score = coverage + (statesAsked ? 0.3 : 0) - (index === 0 && !asksFact ? 0 : 0.001 * index);
    return { text, index, words: text.split(/\s+/).length, coverage, statesAsked, score, terms: sentenceTerms };
  });
}
