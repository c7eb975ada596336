import type { Paper } from '../corpus/schema.js';

/**
 * Facts about a paper rather than its content: who wrote it, when, where it appeared, where its
 * code is. Abstracts rarely state them; the record may (JSON corpora carry `authors`, `year`).
 */
export type MetadataKind = 'authors' | 'year' | 'venue' | 'code';

const ASKS: Record<MetadataKind, RegExp> = {
  authors: /\bwho (wrote|writes|authored|are the authors|is the author|were the authors)\b|^\s*who (first )?(proposed|introduced|invented|developed|created)\b|\b(which|what) authors?\b(?!-)|\b(the |its |their )?authors? (of|behind)\b|\bwritten by whom\b|\bwho(?:'s| is| are) behind\b/i,
  year: /\b(what|which) year\b(?!-)|\bwhen (was|were|did)\b[^?]{0,80}\b(published|released|come out|came out|appear|appeared|written|presented)\b|\bpublication (year|date)\b|\bpublished (in )?when\b/i,
  venue: /\b(which|what|at which|in which|in what) (conference|venue|journal|workshop|proceedings)\b|\bwhere (was|were)\b[^?]{0,80}\b(published|presented)\b/i,
  code: /\b(code|source code|implementation|repository|repo|github)\b[^?.]{0,40}\b(available|released|public|open|link|url|download|find|get)\b|\b(where|how) (can|do) (i|we|you) (find|get|download|access)\b[^?.]{0,40}\b(code|implementation|repository|repo)\b|\b(link|url) (to|for) (the |its |their )?(code|repository|repo|implementation)\b|\bwhere(?:'s| is| are) (the |its |their )?(source )?(code|repository|repo|implementation)(?=\s+(?:for|of)\b|\s*[?.!]*\s*$)/i,
};

/** Text that states the kind: a sentence of an abstract, or a whole abstract. */
const IN_TEXT: Record<MetadataKind, RegExp> = {
  authors: /\bet al\b/i,
  year: /\b(19[5-9]\d|20\d\d)\b/,
  venue: /\b(NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|COLING|AAAI|IJCAI|KDD|SIGIR|WWW|MICCAI|AISTATS|UAI|COLT|conference|journal|workshop|proceedings|challenge)\b/i,
  code: /https?:\/\/|\bgithub\b|\b(code|implementation|models?|software|library)\b[^.]{0,40}\b(available|released|open[- ]sourced?|public)\b/i,
};

/** Does this text (a sentence or an abstract) state the kind? */
export const textStates = (text: string, kind: MetadataKind) => IN_TEXT[kind].test(text);

/** What the paper states of the kind: its record's fields count, else its abstract must say it. */
const STATES: Record<MetadataKind, (p: Pick<Paper, 'abstract' | 'authors' | 'year'>) => boolean> = {
  authors: (p) => Boolean(p.authors?.length) || textStates(p.abstract, 'authors'),
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
  year: 'publication year',
  venue: 'venue',
  code: 'code location',
};
