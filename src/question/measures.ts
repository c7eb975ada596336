import { analyzedSentences } from '../retrieval/analyzed-sentences.js';
import { STOP_WORDS, terms } from '../retrieval/text.js';

/**
 * A quantity the question names: a `count` ("how many GPUs": a number stands before the noun) or
 * a `metric` ("what BLEU score": a number stands near the metric's name).
 */
export interface Measure {
  name: string;
  kind: 'count' | 'metric';
}

/** Metrics a question may ask for by name; an abstract that reports one names it. */
const METRICS = new Set([
  'bleu', 'rouge', 'fid', 'perplexity', 'latency', 'throughput', 'rmse', 'mse', 'mae', 'iou', 'miou', 'psnr', 'ssim',
  'auc', 'auroc', 'f1', 'wer', 'cer', 'ndcg', 'dice', 'learning rate', 'batch size',
]);
/**
 * Quantities a question asks for as "what [up to two words] <quantity>" ("what ImageNet top-1
 * accuracy", "what drop rate"): whatever the abstract reports of them, it reports with a number.
 */
const QUANTITIES = new Set(['accuracy', 'speedup', 'rate', 'percentage', 'ratio', 'score']);
/** Other spellings of a metric, any of which counts as naming it. */
export const METRIC_ALIASES: Record<string, string[]> = {
  rmse: ['root mean square error', 'root mean squared error'],
  mse: ['mean squared error', 'mean square error'],
  mae: ['mean absolute error'],
  fid: ['frechet inception distance', 'fréchet inception distance'],
  dice: ['dice coefficient', 'dice score', 'dsc'],
  wer: ['word error rate'],
  auroc: ['auc'],
  speedup: ['speed up'],
};
/** Words that end the counted noun phrase: "how many layers deep" counts layers. */
const PHRASE_END = new Set(['deep', 'wide', 'long', 'high', 'large', 'big', 'tall', 'old', 'fast', 'far']);
/** Verbs (besides '-ed' forms and stop words) that may follow the counted noun. */
const COUNT_VERBS = new Set(['took', 'take', 'takes', 'make', 'made', 'makes', 'ran', 'run', 'runs', 'got', 'get', 'gets', 'went', 'go', 'came', 'come', 'entered', 'joined', 'need', 'needs', 'needed', 'required', 'require']);
const COUNT_SKIP = new Set(['more', 'fewer', 'less', 'different', 'total', 'other', 'distinct', 'additional', 'extra', 'times']);

/**
 * The measures a question asks for by name: the counted noun of "how many GPUs", or a metric as in
 * "what BLEU score" or "what learning rate". An abstract that never states the measure with a
 * number cannot answer the question.
 */
export function askedMeasures(question: string): Measure[] {
  // "learning-rate" is "learning rate".
  const q = question.toLowerCase().replace(/(?<=[a-z])-(?=[a-z])/g, ' ');
  const found = new Map<string, Measure>();
  const add = (name: string, kind: Measure['kind']) => found.set(name, { name, kind });
  // Only a "how many" that opens the question or a clause asks for a count; inside a description
  // ("a study of how many neighbours an index returns") it does not.
  for (const m of q.matchAll(/(?:^|[?.,;:]\s*|\band\s+)how many ((?:[a-z0-9-]+ ?){1,4})/g)) {
    // The counted noun ends the noun phrase: "how many medical images were used" -> images.
    const phrase: string[] = [];
    for (const w of m[1]!.trim().split(' ')) {
      // A verb after the noun ends the phrase too: "how many teams took part" counts teams.
      const verb = phrase.some((p) => !COUNT_SKIP.has(p)) && (COUNT_VERBS.has(w) || /[a-z]{3}ed$/.test(w));
      if ((STOP_WORDS.has(w) && !COUNT_SKIP.has(w)) || PHRASE_END.has(w) || verb) break;
      phrase.push(w);
    }
    const head = phrase.filter((w) => !COUNT_SKIP.has(w)).pop();
    if (head) add(head, 'count');
  }
  // The metric is named right after "what"/"which" or one word later ("what test RMSE"), by its
  // name or another spelling ("what word error rate" asks for WER).
  for (const m of q.matchAll(/\b(?:what|which)(?:'s| is| was| were| are)?(?: the)?(?: [a-z0-9-]+'s)? ((?:[a-z0-9-]+ ?){1,4})/g)) {
    const words = m[1]!.split(' ').filter(Boolean);
    const named = [0, 1].map((start) => METRIC_NAMES.find(({ words: w }) => w.every((x, i) => words[start + i] === x))).find(Boolean);
    if (named) add(named.metric, 'metric');
    else {
      const quantity = [0, 1, 2].map((at) => QUANTITY_NAMES.find(({ words: w }) => w.every((x, i) => words[at + i] === x))).find(Boolean);
      if (quantity) add(quantity.metric, 'metric');
    }
  }
  return [...found.values()];
}

/** Every way a question may name one of `names`, as words, longest first: "word error rate" names wer. */
const namings = (names: ReadonlySet<string>) =>
  [...names].flatMap((metric) => [metric, ...(METRIC_ALIASES[metric] ?? [])].map((name) => ({ words: name.split(' '), metric }))).sort((a, b) => b.words.length - a.words.length);
const METRIC_NAMES = namings(METRICS);
const QUANTITY_NAMES = namings(QUANTITIES);

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
  // A unit glued to its number ("8.7MB", "500ms") is a number and a unit.
  const text = sentence.text.replace(/(\d)([A-Za-z]{2,3})\b/g, '$1 $2');
  const termSet = text === sentence.text ? sentence.terms : new Set([...sentence.terms, ...terms(text)]);
  const tokens = text.replace(/\(\s*(\d+|[ivx]+|[a-z])\s*\)/gi, ' ').split(/\s+/).filter(Boolean);
  const numerals = tokens.flatMap((tok, i) => (isNumeral(tok) ? [i] : []));
  const ways = spellings(measure.name).filter((sp) => sp.every((t) => termSet.has(t)));
  if (!ways.length) return false;
  if (measure.kind === 'count') {
    // The number stands shortly before the noun, written as the question writes it.
    return tokens.some((tok, i) => tok.toLowerCase().replace(/[^a-z0-9-]/g, '') === measure.name && numerals.some((n) => n < i && i - n <= COUNT_WINDOW));
  }
  const heads = new Set(ways.map((sp) => sp[sp.length - 1]!));
  return tokens.some((tok, i) => terms(tok).some((t) => heads.has(t)) && numerals.some((n) => Math.abs(n - i) <= METRIC_WINDOW));
}

/** Does any sentence of the abstract state one of the measures with a quantity? */
export function abstractStatesMeasure(abstract: string, measures: readonly Measure[]): boolean {
  return analyzedSentences(abstract).some((s) => measures.some((m) => statesMeasure(s, m)));
}
