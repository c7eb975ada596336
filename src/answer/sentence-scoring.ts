import { analyzedSentences } from '../retrieval/analyzed-sentences.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { terms } from '../retrieval/text.js';
import { METRIC_ALIASES, type Measure, type QuestionIntent } from './intent.js';

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
  terms: ReadonlySet<string>;
}

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

/** The ways of writing a measure, as term lists: "rmse" or "root mean square error". */
const spellings = (measure: string) => [measure, ...(METRIC_ALIASES[measure] ?? [])].map((m) => terms(m)).filter((t) => t.length);

/** Words a number may stand before a counted noun ("1,052,730 medical images"), or around a metric. */
const COUNT_WINDOW = 5;
const METRIC_WINDOW = 6;

/** A numeral: digits that are not part of a name ("3D", "ResNet50", "CIFAR-10"). */
const isNumeral = (token: string) => /\d/.test(token.replace(/\b\d+[dD]\b|\b[A-Za-z]{2,}-?\d+[A-Za-z0-9]*\b/g, ' '));

/**
 * Does the sentence state the measure with a number? For a count the numeral stands shortly before
 * the noun, written as the question writes it ("how many medical images": "with 1,052,730 medical
 * images", but not "20 medical image datasets"); for a metric it stands near the metric's name
 * ("an RMSE of 0.02 Pa", "28.4 BLEU"). Enumeration marks such as "(1)" are not numbers.
 */
export function statesMeasure(sentence: { text: string; terms: ReadonlySet<string> }, measure: Measure): boolean {
  const ways = spellings(measure.name).filter((sp) => sp.every((t) => sentence.terms.has(t)));
  if (!ways.length) return false;
  const tokens = sentence.text.replace(/\(\s*(\d+|[ivx]+|[a-z])\s*\)/gi, ' ').split(/\s+/).filter(Boolean);
  const numerals = tokens.flatMap((tok, i) => (isNumeral(tok) ? [i] : []));
  const heads = new Set(ways.map((sp) => sp[sp.length - 1]!));
  return tokens.some((tok, i) => {
    if (!terms(tok).some((t) => heads.has(t))) return false;
    if (measure.kind === 'metric') return numerals.some((n) => Math.abs(n - i) <= METRIC_WINDOW);
    const asWritten = tok.toLowerCase().replace(/[^a-z0-9-]/g, '') === measure.name;
    return asWritten && numerals.some((n) => n < i && i - n <= COUNT_WINDOW);
  });
}

/** Does any sentence of the abstract state one of the measures with a quantity? */
export function abstractStatesMeasure(abstract: string, measures: readonly Measure[]): boolean {
  return analyzedSentences(abstract).some((s) => measures.some((m) => statesMeasure(s, m)));
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
  return analyzedSentences(abstract).map(({ text, terms: sentenceTerms }, index) => {
    const coverage = stats.mass(q.filter((t) => sentenceTerms.has(t))) / total;
    const statesAsked = asksFact && statesAskedFact(text, intent);
    const measured = intent.measures.some((m) => statesMeasure({ text, terms: sentenceTerms }, m));
    const score = coverage + (statesAsked ? 0.3 : 0) + (measured ? 0.3 : 0) - (index === 0 && !asksFact ? 0 : 0.001 * index);
    return { text, index, words: text.split(/\s+/).length, coverage, statesAsked, score, terms: sentenceTerms };
  });
}
