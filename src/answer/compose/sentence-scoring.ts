import { analyzedSentences } from '../../retrieval/analyzed-sentences.js';
import type { TermStats } from '../../retrieval/term-stats.js';
import { terms } from '../../retrieval/text.js';
import type { QuestionIntent } from '../../question/intent.js';
import { statesMeasure } from '../../question/measures.js';
import { textStates } from '../../question/metadata.js';
import { spellsOut } from '../../question/acronyms.js';

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
  /** Reads on its own: does not open by pointing back ("To address this issue", "However", "These"). */
  standsAlone: boolean;
  terms: ReadonlySet<string>;
}

/** Openings that point back to an earlier sentence: out of their abstract such sentences read as fragments. */
const POINTS_BACK = /^(?:to (?:address|tackle|solve|overcome|this end|do so|that end)\b[^,]*,|(?:however|moreover|furthermore|in addition|additionally|therefore|thus|hence|consequently|as a result|in (this|that) (way|case|setting)|this(?! (paper|work|article|study|survey|thesis|letter)\b)|these|those|such|it|they|its|their)\b)/i;

const NUMBER_WORDS = /\b(two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundreds?|thousands?|millions?|billions?|twice|half|double|triple|\w+fold|orders? of magnitude)\b/i;

/** Does the text state a quantity? Digits count, except in names such as "3D", "ResNet50" or "CIFAR-10". */
export function hasQuantity(text: string): boolean {
  const stripped = text.replace(/\b\d+[dD]\b|\b[A-Za-z]{2,}-?\d+[A-Za-z0-9]*\b/g, ' ');
  return /\d/.test(stripped) || NUMBER_WORDS.test(text);
}
const DATASET_WORD = /\b(datasets?|data sets?|benchmarks?|corpus|corpora)\b/i;
/** Name-like tokens (MNIST, CIFAR-10, ImageNet, SQuAD), not counting an acronym being defined "(WRNs)". */
const NAME_TOKEN = /(?<!\()\b[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9-]*\b(?!\))/g;

/** Does the sentence name datasets: a dataset word, names after "on", or a list of two or more names? */
export function namesDatasets(sentence: string): boolean {
  if (DATASET_WORD.test(sentence)) return true;
  if (/\b(on|in|from) (the )?[A-Z][A-Za-z]*[A-Z0-9]/.test(sentence)) return true;
  return (sentence.match(NAME_TOKEN)?.length ?? 0) >= 2;
}
const NAME_CUE = /\b[A-Z][a-z]*[A-Z][A-Za-z0-9-]*\b|\b[A-Z]{2,}[A-Za-z0-9-]*\b|\b(called|named|dubbed|termed)\b|.\b[A-Z][a-z]+[- ][A-Z][a-z]+/;

/** Does the sentence carry the kind of fact the question asks for? */
export function statesAskedFact(sentence: string, intent: QuestionIntent): boolean {
  if (intent.number && !hasQuantity(sentence)) return false;
  if (intent.dataset && !namesDatasets(sentence)) return false;
  if (intent.name && !NAME_CUE.test(sentence)) return false;
  return intent.number || intent.dataset || intent.name;
}

/**
 * Scores every sentence of an abstract against the question: IDF-weighted term coverage, plus a
 * bonus when the sentence states the asked kind of fact (a number for "how much", a dataset
 * for "which datasets", a named measure, or asked metadata such as a code link). Pure.
 */
export function scoreSentences(abstract: string, questionTerms: readonly string[], stats: TermStats, intent: QuestionIntent): ScoredSentence[] {
  const q = [...new Set(questionTerms)];
  const total = stats.mass(q) || 1;
  const asksFact = intent.number || intent.dataset || intent.name;
  return analyzedSentences(abstract).map(({ text, terms: sentenceTerms }, index) => {
    const coverage = stats.mass(q.filter((t) => sentenceTerms.has(t))) / total;
    const statesAsked = asksFact && statesAskedFact(text, intent);
    const measured = intent.measures.some((m) => statesMeasure({ text, terms: sentenceTerms }, m)) || intent.metadata.some((k) => textStates(text, k)) ||
      (intent.expansion !== null && spellsOut(text, intent.expansion));
    const score = coverage + (statesAsked ? 0.3 : 0) + (measured ? 0.3 : 0) - (index === 0 && !asksFact ? 0 : 0.001 * index);
    return { text, index, words: text.split(/\s+/).length, coverage, statesAsked, score, terms: sentenceTerms, standsAlone: !POINTS_BACK.test(text) };
  });
}
