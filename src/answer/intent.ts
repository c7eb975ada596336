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
}

const LIST = /\b(which|what|any|are there|list|find|show me|what's|whats)\b[^?]{0,40}\b(papers|works|studies|approaches|methods|articles|work)\b|\bwhat(?:'s| is| does)? (?:in )?(?:the|this) collection\b|\bpapers (?:on|about|that)\b|\bwhat (?:work|research) (?:here|is there)\b/i;
const NUMBER = /\bhow (much|many|big|large|small|fast|far|long|often)\b|\bby how\b|\bwhat (?:is |was |'s )?(?:the )?(?:\w+ ){0,3}(accuracy|speed-?up|percentage|rate|ratio|score|size|number|error|gain|improvement|reduction|sparsity|factor|fraction|range|rmse|flops|iou|bleu|fid)\b|\bhighest|\blargest|\bbiggest|\bfastest\b|\bspeed-?up\b|\bpercent|\bhow .* compared\b/i;
const DATASET = /\b(datasets?|benchmarks?|corpora|corpus of|data sets?|evaluated on|tested on)\b/i;
const NAME = /\b(what|which) (two |three |four )?(techniques?|methods?|models?|algorithms?|architectures?|nonlinearit\w*|activation|operations?|problems?|tasks?)\b|\bwhat is it called\b|\bname of\b|\bwhich (one|kind|type)\b/i;

export function questionIntent(question: string): QuestionIntent {
  return { list: LIST.test(question), number: NUMBER.test(question), dataset: DATASET.test(question), name: NAME.test(question) };
}

/** Requests outside the assistant's job: its instructions, creative writing, made-up sources, role play. */
const MISUSE: { re: RegExp; what: string }[] = [
  { re: /\b(system prompt|your (instructions|prompt|rules|guidelines)|initial prompt|hidden prompt|developer message)\b|\b(ignore|disregard|forget) (all |any )?(the |your )?(previous|prior|above|earlier)\b|\bjailbreak\b|\bDAN mode\b/i, what: 'share or change my instructions' },
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

/** Measures and quantities a question may ask for by name; their stems must appear in an abstract that answers it. */
const MEASURES = new Set([
  'bleu', 'rouge', 'fid', 'inception', 'perplexity', 'latency', 'throughput', 'rmse', 'mse', 'mae', 'iou', 'miou', 'psnr', 'ssim',
  'auc', 'auroc', 'f1', 'wer', 'cer', 'map', 'ndcg', 'mrr', 'recall', 'precision', 'top-1', 'top-5', 'dice',
  'learning rate', 'batch size', 'epochs', 'gpus', 'gpu', 'tpus', 'hours', 'days', 'parameters', 'patients', 'participants',
  'subjects', 'images', 'samples', 'examples', 'tokens', 'layers', 'heads', 'nodes', 'queries', 'seeds', 'runs', 'cost', 'memory', 'energy',
]);
const COUNT_SKIP = new Set(['more', 'fewer', 'less', 'different', 'total', 'of', 'the', 'other', 'distinct', 'additional', 'extra']);

/**
 * The measures a question asks for by name ("how many GPUs", "what BLEU score", "what learning
 * rate"), as lowercase words. An abstract that never mentions the measure cannot answer it.
 */
export function askedMeasures(question: string): string[] {
  const q = question.toLowerCase();
  const found = new Set<string>();
  for (const m of q.matchAll(/\bhow many ([a-z0-9-]+)(?: ([a-z0-9-]+))?/g)) {
    const word = [m[1], m[2]].find((w) => w && !COUNT_SKIP.has(w));
    if (word) found.add(word);
  }
  for (const m of q.matchAll(/\b(?:what|which)(?:'s| is| was| are)?(?: the)?(?: [a-z0-9-]+'s)?(?: \w+)? ([a-z0-9-]+)(?: ([a-z0-9-]+))?/g)) {
    const pair = `${m[1]} ${m[2] ?? ''}`.trim();
    if (MEASURES.has(pair)) found.add(pair);
    else if (m[1] && MEASURES.has(m[1])) found.add(m[1]);
  }
  for (const m of q.matchAll(/\b(bleu|fid|perplexity|latency|rmse|psnr|ssim|auroc|wer|learning rate|batch size)\b/g)) found.add(m[1]!);
  return [...found];
}
