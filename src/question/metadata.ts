import type { Paper } from '../corpus/schema.js';

/**
 * Facts about a paper rather than its content: who wrote it and where they work, when, where it
 * appeared, where its code is and under which license, what it was run on and for how long, how
 * often it is cited. Abstracts rarely state them; the record may (JSON corpora carry `authors`, `year`).
 */
export type MetadataKind = 'authors' | 'affiliation' | 'year' | 'venue' | 'code' | 'license' | 'compute' | 'citations';

const ASKS: Record<MetadataKind, RegExp> = {
  authors: /\bwho (wrote|writes|authored|are the authors|is the author|were the authors)\b|^\s*who (first |originally )?(proposed|introduced|invented|developed|created|came up with)\b|\b(which|what) authors?\b(?!-)|\b(the |its |their )?authors? (of|behind)\b|\bwritten by whom\b|\bwho(?:'s| is| are) behind\b/i,
  year: /\b(what|which) year\b(?!-)|\bwhen (was|were|did)\b[^?]{0,80}\b(published|released|come out|came out|appear|appeared|written|presented)\b|\bpublication (year|date)\b|\bpublished (in )?when\b/i,
  affiliation: /\baffiliat\w*|\b(which|what) (university|universities|lab|labs|laboratory|institution|institutions|company|companies|organi[sz]ation)\b[^?]{0,40}\b(authors?|researchers|team|they|wrote|write|behind|from|work|works|developed|come)\b|\bwhere do (the authors|the researchers|they) work\b/i,
  venue: /\b(which|what|at which|in which|in what) (conference|venue|journal|workshop|proceedings)\b|\bwhere (was|were)\b[^?]{0,80}\b(published|presented)\b|\b(published|presented|accepted|appeared?) (at|in) (NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|AAAI|IJCAI|KDD|a conference|a journal)\b/i,
  license: /\blicen[cs](e|ed|es|ing)\b/i,
  compute: /\b(what|which) (kind of |type of )?(hardware|gpus?|tpus?|accelerators?)\b(?!-)|\bon what (hardware|gpus?|machines?)\b(?!-)|\b(gpu|tpu) (model|type)\b|\bhow long\b[^?]{0,60}\b(train|training|take to train|to converge)\b|\btraining (time|budget|cost)\b|\b(gpu|tpu)[- ]hours\b/i,
  citations: /\bhow (many|often)\b[^?]{0,30}\b(citations|cited)\b|\bcitation count\b/i,
  code: /\b(code|source code|implementation|repository|repo|github)\b[^?.]{0,40}\b(available|released|public|open|link|url|download|find|get)\b|\b(where|how) (can|do) (i|we|you) (find|get|download|access)\b[^?.]{0,40}\b(code|implementation|repository|repo)\b|\b(link|url) (to|for) (the |its |their )?(code|repository|repo|implementation)\b|\bwhere(?:'s| is| are) (the |its |their )?(source )?(code|repository|repo|implementation)(?=\s+(?:for|of)\b|\s*[?.!]*\s*$)/i,
};

/** Text that states the kind: a sentence of an abstract, or a whole abstract. */
const IN_TEXT: Record<MetadataKind, RegExp> = {
  authors: /\bet al\b/i,
  affiliation: /\b(universit(y|ies)|institute|laborator(y|ies)|Google|DeepMind|Meta|Microsoft|OpenAI|NVIDIA|IBM|Amazon)\b/,
  year: /\b(19[5-9]\d|20\d\d)\b/,
  venue: /\b(NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|COLING|AAAI|IJCAI|KDD|SIGIR|WWW|MICCAI|AISTATS|UAI|COLT|conference|journal|workshop|proceedings|challenge)\b/i,
  license: /\blicen[cs]e/i,
  compute: /\b(GPUs?|TPUs?|CPUs?|NVIDIA|[TVAHP]\d{1,3}|GPU[- ]hours|(\d+(\.\d+)?\s*(hours|days|minutes)))\b/i,
  citations: /\bcited\b|\bcitations\b/i,
  code: /https?:\/\/|\bgithub\b|\b(code|implementation|models?|software|library)\b[^.]{0,40}\b(available|released|open[- ]sourced?|public)\b/i,
};

/** Does this text (a sentence or an abstract) state the kind? */
export const textStates = (text: string, kind: MetadataKind) => IN_TEXT[kind].test(text);

/** What the paper states of the kind: its record's fields count, else its abstract must say it. */
const STATES: Record<MetadataKind, (p: Pick<Paper, 'abstract' | 'authors' | 'year'>) => boolean> = {
  authors: (p) => Boolean(p.authors?.length) || textStates(p.abstract, 'authors'),
  affiliation: (p) => textStates(p.abstract, 'affiliation'),
  license: (p) => textStates(p.abstract, 'license'),
  compute: (p) => textStates(p.abstract, 'compute'),
  citations: (p) => textStates(p.abstract, 'citations'),
  year: (p) => p.year !== undefined || textStates(p.abstract, 'year'),
  venue: (p) => textStates(p.abstract, 'venue'),
  code: (p) => textStates(p.abstract, 'code'),
};

/** The metadata a question asks for. */
export function askedMetadata(question: string): MetadataKind[] {
  return (Object.keys(ASKS) as MetadataKind[]).filter((k) => ASKS[k].test(question));
}

/** The asked metadata that neither the paper's record nor its abstract states. */
export function missingMetadata(paper: Pick<Paper, 'abstract' | 'authors' | 'year'>, kinds: readonly MetadataKind[]): MetadataKind[] {
  return kinds.filter((k) => !STATES[k](paper));
}

/** How the abstention names a kind: "the authors", "the publication year". */
export const METADATA_NAMES: Record<MetadataKind, string> = {
  authors: 'authors',
  affiliation: "authors' affiliations",
  year: 'publication year',
  venue: 'venue',
  code: 'code location',
  license: 'license',
  compute: 'hardware or training time',
  citations: 'citation count',
};
