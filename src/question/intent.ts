import { askedExpansion } from './acronyms.js';
import { askedMeasures, type Measure } from './measures.js';
import { askedMetadata, type MetadataKind } from './metadata.js';
import { askedOrigin } from './origin.js';

/** What kind of answer a question wants: drives sentence selection and the answer's shape. */
export interface QuestionIntent {
  /** "Which papers ...", "what work ...", "any papers on ...", "methods that ...": one line per paper. */
  list: boolean;
  /**
   * A search-box query rather than a question ("sparse autoencoders chess"): no question word and
   * no question mark. It gets a list when retrieval finds several papers close together.
   */
  keywords: boolean;
  /** Asks for a quantity: how much/many, by how much, what accuracy, speed-up, percentage. */
  number: boolean;
  /** Asks which datasets or benchmarks. */
  dataset: boolean;
  /** Asks for a name: which method/model/techniques, what is it called. */
  name: boolean;
  /** Measures asked for by name ("how many GPUs", "what BLEU score"); see askedMeasures. */
  measures: Measure[];
  /** Facts about the paper rather than its content (authors, year, venue, code); see askedMetadata. */
  metadata: MetadataKind[];
  /** An acronym the question asks to spell out ("what does DUMB stand for?"), or null. */
  expansion: string | null;
  /** For "which paper introduced X?": the analyzed terms naming X, else null; see askedOrigin. */
  origin: string[] | null;
}

/** Openings and endings that ask for papers in the plural without a question word: "methods that ...", "... papers". */
const PLURAL_REQUEST = /^\s*(papers|works|studies|methods|approaches|techniques|articles)\b|\b(papers|studies)\s*[?.!]*\s*$|\b(all|every|each)\b[^?.]{0,30}\b(papers|versions|variants|works|methods|approaches)\b|\b(all|every|each) (version|variant)\b/i;
const QUESTION_WORD = /^\s*(who|whom|whose|what|what's|whats|which|when|where|why|how|is|are|was|were|do|does|did|can|could|should|would|will|has|have|had|any|tell|explain|describe|list|find|show|give|compare)\b/i;
/** Longer statements ("I'm looking for a paper that ...") describe one paper rather than type a search. */
const KEYWORD_QUERY_WORDS = 10;
const LIST = /\b(which|what|any|are there|list|find|show me|what's|whats)\b[^?]{0,40}\b(papers|works(?! (?:best|better|well|worse|fine)\b)|studies|approaches|methods|articles|work)\b|\bwhat(?:'s| is| does)? (?:in )?(?:the|this) collection\b|\bpapers (?:on|about|that)\b|\bwhat (?:work|research) (?:here|is there)\b/i;
const NUMBER = /\bhow (much|many|big|large|small|fast|far|long|often)\b|\bby how\b|\bwhat (?:is |was |'s )?(?:the )?(?:[\w-]+ ){0,3}(accuracy|speed-?up|percentage|rate|ratio|score|size|number|error|gain|improvement|reduction|sparsity|factor|fraction|range|rmse|flops|iou|bleu|fid)\b|\bhighest|\blargest|\bbiggest|\bfastest\b|\bspeed-?up\b|\bpercent|\bhow .* compared\b/i;
const DATASET = /\b(datasets?|benchmarks?|corpora|corpus of|data sets?|evaluated on|tested on)\b/i;
const NAME = /\b(what|which)( \w+){0,2}? (techniques?|methods?|models?|algorithms?|architectures?|backbones?|networks?|optimizers?|losses|loss functions?|baselines?|encoders?|nonlinearit\w*|activations?|operations?|problems?|tasks?|tricks?|components?|modules?|strategies|approaches)\b|\bwhat is it called\b|\bname of\b|\bwhich (one|kind|type)\b/i;

export function questionIntent(question: string): QuestionIntent {
  return {
    list: LIST.test(question) || PLURAL_REQUEST.test(question),
    keywords: !question.includes('?') && !QUESTION_WORD.test(question) && question.trim().split(/\s+/).length <= KEYWORD_QUERY_WORDS,
    number: NUMBER.test(question),
    dataset: DATASET.test(question),
    name: NAME.test(question),
    measures: askedMeasures(question),
    metadata: askedMetadata(question),
    expansion: askedExpansion(question),
    origin: askedOrigin(question),
  };
}
