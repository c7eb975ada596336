import { STOP_WORDS } from '../retrieval/text.js';

/** What kind of answer a question wants: drives sentence selection and the answer's shape. */
export interface QuestionIntent {
  /** "Which papers ...", "what work ...", "any papers on ...": one line per paper. */
  list: boolean;
  /** Asks for a quantity: how much/many, by how much, what accuracy, speed-up, percentage. */
  number: boolean;
  /** Asks which datasets or benchmarks. */
  dataset: boolean;
  /** Asks for a name: which method/model/techniques, what is it called. */
  name: boolean;
  /** Measures asked for by name ("how many GPUs", "what BLEU score"); see askedMeasures. */
  measures: Measure[];
}

const LIST = /\b(which|what|any|are there|list|find|show me|what's|whats)\b[^?]{0,40}\b(papers|works|studies|approaches|methods|articles|work)\b|\bwhat(?:'s| is| does)? (?:in )?(?:the|this) collection\b|\bpapers (?:on|about|that)\b|\bwhat (?:work|research) (?:here|is there)\b/i;
const NUMBER = /\bhow (much|many|big|large|small|fast|far|long|often)\b|\bby how\b|\bwhat (?:is |was |'s )?(?:the )?(?:\w+ ){0,3}(accuracy|speed-?up|percentage|rate|ratio|score|size|number|error|gain|improvement|reduction|sparsity|factor|fraction|range|rmse|flops|iou|bleu|fid)\b|\bhighest|\blargest|\bbiggest|\bfastest\b|\bspeed-?up\b|\bpercent|\bhow .* compared\b/i;
const DATASET = /\b(datasets?|benchmarks?|corpora|corpus of|data sets?|evaluated on|tested on)\b/i;
const NAME = /\b(what|which)( \w+){0,2}? (techniques?|methods?|models?|algorithms?|architectures?|backbones?|networks?|optimizers?|losses|loss functions?|baselines?|encoders?|nonlinearit\w*|activations?|operations?|problems?|tasks?|tricks?|components?|modules?|strategies|approaches)\b|\bwhat is it called\b|\bname of\b|\bwhich (one|kind|type)\b/i;

export function questionIntent(question: string): QuestionIntent {
  return {
    list: LIST.test(question),
    number: NUMBER.test(question),
    dataset: DATASET.test(question),
    name: NAME.test(question),
    measures: askedMeasures(question),
  };
}

/** Requests outside the assistant's job: its instructions, creative writing, made-up sources, role play. */
const MISUSE: { re: RegExp; what: string }[] = [
  { re: /\b(system prompt|your (instructions|prompt|rules|guidelines)|initial prompt|hidden prompt|developer message)\b|\b(ignore|disregard|forget|override) (all |any )?(of )?(the |your |these )?(previous |prior |above |earlier |original )?(instructions|rules|prompts?|guidelines|directives)\b|\bjailbreak (yourself|you|this (assistant|bot|chat))\b|\bDAN mode\b/i, what: 'share or change my instructions' },
  { re: /\b(write|compose|make up|create|generate)\b[^.?!]{0,30}\b(poem|poetry|haiku|song|lyrics|limerick|story|joke|rap|sonnet|essay|novel|screenplay)\b/i, what: 'write poems, stories or other creative pieces' },
  { re: /\b(invent|fabricate|make up|fake|hallucinate|generate (some )?(fake|fictional|plausible))\b[^.?!]{0,40}\b(citations?|references?|papers?|sources?|results?|quotes?)\b|\b(citations?|references?)\b[^.?!]{0,30}\b(that (don't|do not) exist|even if (they|it) (don't|doesn't) exist)\b/i, what: 'invent citations or results' },
  { re: /\b(pretend|act as|role-?play|you are now|from now on you)\b/i, what: 'take on other roles' },
];

/** The refusal for a misuse request, or null for an ordinary question. */
export function misuseRefusal(question: string): string | null {
  const hit = MISUSE.find((m) => m.re.test(question));
  if (!hit) return null;
  return (
    `Sorry, I can't ${hit.what}. I answer questions about the research papers in this collection, ` +
    `citing the abstracts I rely on. Try asking what the papers say about a method, a result or a dataset.`
  );
}

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
/** Other spellings of a metric, any of which counts as naming it. */
export const METRIC_ALIASES: Record<string, string[]> = {
  rmse: ['root mean square error', 'root mean squared error'],
  mse: ['mean squared error', 'mean square error'],
  mae: ['mean absolute error'],
  fid: ['frechet inception distance', 'fréchet inception distance'],
  dice: ['dice coefficient', 'dice score', 'dsc'],
  wer: ['word error rate'],
  auroc: ['auc'],
};
/** Words that end the counted noun phrase: "how many layers deep" counts layers. */
const PHRASE_END = new Set(['deep', 'wide', 'long', 'high', 'large', 'big', 'tall', 'old', 'fast', 'far']);
const COUNT_SKIP = new Set(['more', 'fewer', 'less', 'different', 'total', 'other', 'distinct', 'additional', 'extra', 'times']);

/**
 * The measures a question asks for by name: the counted noun of "how many GPUs", or a metric as in
 * "what BLEU score" or "what learning rate". An abstract that never states the measure with a
 * number cannot answer the question.
 */
export function askedMeasures(question: string): Measure[] {
  const q = question.toLowerCase();
  const found = new Map<string, Measure>();
  const add = (name: string, kind: Measure['kind']) => found.set(name, { name, kind });
  // Only a "how many" that opens the question or a clause asks for a count; inside a description
  // ("a study of how many neighbours an index returns") it does not.
  for (const m of q.matchAll(/(?:^|[?.,;:]\s*|\band\s+)how many ((?:[a-z0-9-]+ ?){1,4})/g)) {
    // The counted noun ends the noun phrase: "how many medical images were used" -> images.
    const phrase: string[] = [];
    for (const w of m[1]!.trim().split(' ')) {
      if ((STOP_WORDS.has(w) && !COUNT_SKIP.has(w)) || PHRASE_END.has(w)) break;
      phrase.push(w);
    }
    const head = phrase.filter((w) => !COUNT_SKIP.has(w)).pop();
    if (head) add(head, 'count');
  }
  for (const m of q.matchAll(/\b(?:what|which)(?:'s| is| was| were| are)?(?: the)?(?: [a-z0-9-]+'s)? ([a-z0-9-]+)(?: ([a-z0-9-]+))?/g)) {
    const pair = `${m[1]} ${m[2] ?? ''}`.trim();
    if (METRICS.has(pair)) add(pair, 'metric');
    else if (m[1] && METRICS.has(m[1])) add(m[1], 'metric');
    else if (m[2] && METRICS.has(m[2])) add(m[2], 'metric');
  }
  return [...found.values()];
}
