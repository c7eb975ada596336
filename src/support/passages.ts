import type { Paper } from '../corpus/schema.js';
import { STOP_WORDS, stem, words } from '../retrieval/text.js';
import { nameTerms } from '../question/read.js';
import type { Span } from './claims.js';
import { sentenceSpans } from './claims.js';

/** One sentence of an abstract, analyzed for the support decision. */
export interface Passage extends Span {
  /** Position in the abstract. */
  index: number;
  /** Content terms in order (stop words left out; repeats kept). */
  sequence: string[];
  terms: ReadonlySet<string>;
  /** Positions in `sequence` of numerals ("2.5" is one numeral at one position). */
  numerals: number[];
  /** Terms the sentence negates ("without fine-tuning", "no retraining", "tuning-free"). */
  negated: ReadonlySet<string>;
  /** Terms of the names it writes ("MNIST", "CIFAR-10"). */
  names: ReadonlySet<string>;
}

/** A paper as the support decision reads it: its title's terms and its sentences. */
export interface AnalyzedPaper {
  paper: Paper;
  title: { sequence: string[]; terms: ReadonlySet<string> };
  sentences: Passage[];
  /** Every term of title and abstract. */
  terms: ReadonlySet<string>;
}

/** Words that state a quantity as numerals do ("two", "fivefold", "twice", "hundreds"). */
const NUMBER_WORDS = new Set(['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'twenty', 'thirty', 'fifty', 'hundred', 'hundreds', 'thousand', 'thousands', 'million', 'millions', 'billion', 'billions', 'twice', 'thrice', 'half', 'double', 'triple', 'dozen', 'dozens']);

/** Is the word a quantity: digits, a numeral with its unit glued on ("8.7mb", "4x", "x63"), or a number word ("fivefold")? */
export const isQuantity = (w: string) => /^x?\d/.test(w) || NUMBER_WORDS.has(w) || (w.endsWith('fold') && NUMBER_WORDS.has(w.slice(0, -4)));

/** Words that negate the next few terms ("without fine-tuning", "eliminates the need for SVD"): a closed class. */
const NEGATES_NEXT = new Set(['no', 'non', 'not', 'without', 'never', 'none', 'nor', 'neither', 'cannot', 'avoid', 'avoids', 'avoiding', 'eliminate', 'eliminates', 'eliminating', 'unnecessary', 'negligible', 'lack', 'lacks', 'instead']);
/** ... and words that negate the term before them ("tuning-free"). */
const NEGATES_PREVIOUS = new Set(['free']);
/** Terms after a negating word that it reaches. */
const NEGATION_SCOPE = 3;

/** A text's content terms in order, with the positions of its numerals and the terms it negates. */
export function sequenceOf(text: string): { sequence: string[]; numerals: number[]; negated: Set<string> } {
  const sequence: string[] = [];
  const numerals: number[] = [];
  const negated = new Set<string>();
  let scope = 0;
  // Digits joined by . or , are one numeral ("2.5", "1,052,730"); a range "10-100" is two.
  for (const w of words(text.replace(/(\d)[.,](?=\d)/g, '$1'))) {
    if (NEGATES_NEXT.has(w)) {
      scope = NEGATION_SCOPE;
      continue;
    }
    if (NEGATES_PREVIOUS.has(w) && sequence.length) {
      negated.add(sequence[sequence.length - 1]!);
      continue;
    }
    const quantity = isQuantity(w);
    if (STOP_WORDS.has(w) && !quantity) continue;
    if (quantity) numerals.push(sequence.length);
    const term = stem(w);
    if (scope > 0) {
      negated.add(term);
      scope--;
    }
    sequence.push(term);
  }
  return { sequence, numerals, negated };
}

const cache = new Map<string, AnalyzedPaper>();
const MAX_CACHED = 5_000;

/**
 * The text whose names may be instances of a kind: an acronym the sentence defines ("search (PAS)")
 * is the paper's own term, a word styled with inner capitals ("soUrces") spells an acronym, and a
 * plural acronym names a family.
 */
const instanceText = (text: string) =>
  text
    .replace(/\(\s*[\p{L}\p{N}-]+\s*\)/gu, ' ')
    .replace(/(?<![\p{L}\p{N}-])\p{Ll}+\p{Lu}[\p{L}]*/gu, ' ')
    // A plural acronym ("DNNs", "LLMs") names a family, not one thing.
    .replace(/\b\p{Lu}{2,}s\b/gu, ' ');

/** The paper analyzed once (memoized by id and abstract). */
export function analyzePaper(paper: Paper): AnalyzedPaper {
  const key = `${paper.id}\u0000${paper.abstract.length}`;
  const hit = cache.get(key);
  if (hit && hit.paper.abstract === paper.abstract) return hit;
  const title = sequenceOf(paper.title);
  const sentences = sentenceSpans(paper.abstract).map((span, index) => {
    const { sequence, numerals, negated } = sequenceOf(span.text);
    return { ...span, index, sequence, terms: new Set(sequence), numerals, negated, names: new Set(nameTerms(instanceText(span.text))) };
  });
  const terms = new Set([...title.sequence, ...sentences.flatMap((s) => s.sequence)]);
  const analyzed = { paper, title: { sequence: title.sequence, terms: new Set(title.sequence) }, sentences, terms };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, analyzed);
  return analyzed;
}
