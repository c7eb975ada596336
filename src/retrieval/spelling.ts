import type { Paper } from '../corpus/schema.js';
import { editDistance } from './edit-distance.js';
import { words } from './text.js';

/** Defaults of query spelling correction (one place). */
export const DEFAULT_SPELLING = {
  /** Shorter words are never corrected: too many real words lie one edit apart. */
  minLength: 4,
  /** Edits allowed for words shorter than `longFrom` characters. */
  shortEdits: 1,
  /** Edits allowed from `longFrom` characters on (a swap of two adjacent letters is one edit). */
  longEdits: 2,
  longFrom: 5,
} as const;
export type SpellingOptions = Partial<typeof DEFAULT_SPELLING>;

/** A swap of two adjacent letters, the commonest typo, counts as one edit. */
const SWAPS_ARE_ONE_EDIT = { transpositions: true } as const;

/** One word of a query replaced by a word of the collection. */
export interface Correction {
  from: string;
  to: string;
}

/**
 * Corrects typos in queries towards the collection's own words. A query word is a typo when the
 * collection never uses it and it is not an English word either (`isWord`, from a dictionary): then
 * it becomes the collection word fewest edits away (the most frequent one on a tie), if any lies
 * within the allowed edits. Real words the collection lacks ("historians") are left alone, so a
 * question in the asker's own vocabulary is not bent towards the papers' words. Capitalized words
 * past the first ("Frankle", "BERT") are names, never corrected.
 *
 * @example
 * const speller = SpellingCorrector.fromPapers(papers, (w) => english.has(w));
 * speller.correct('speculatve samplng').text // 'speculative sampling'
 */
export class SpellingCorrector {
  private readonly byLength = new Map<number, { word: string; count: number }[]>();
  private readonly o: Required<SpellingOptions>;

  constructor(
    private readonly vocabulary: ReadonlyMap<string, number>,
    private readonly isWord: (word: string) => boolean,
    options: SpellingOptions = {},
  ) {
    this.o = { ...DEFAULT_SPELLING, ...options };
    for (const [word, count] of vocabulary) {
      if (!/^[a-z]+$/.test(word)) continue;
      const bucket = this.byLength.get(word.length) ?? [];
      bucket.push({ word, count });
      this.byLength.set(word.length, bucket);
    }
  }

  /** A corrector over the words of the papers' titles and abstracts. */
  static fromPapers(papers: readonly Pick<Paper, 'title' | 'abstract'>[], isWord: (word: string) => boolean, options?: SpellingOptions): SpellingCorrector {
    return new SpellingCorrector(spellingVocabulary(papers), isWord, options);
  }

  /** The collection word a typo stands for, or null when the word needs no (or has no) correction. */
  suggest(word: string): string | null {
    const w = word.toLowerCase();
    if (w.length < this.o.minLength || !/^[a-z]+$/.test(w) || this.vocabulary.has(w) || this.isWord(w)) return null;
    const edits = w.length >= this.o.longFrom ? this.o.longEdits : this.o.shortEdits;
    let best: { word: string; count: number; d: number } | null = null;
    for (let len = w.length - edits; len <= w.length + edits; len++) {
      for (const c of this.byLength.get(len) ?? []) {
        const d = editDistance(w, c.word, edits, SWAPS_ARE_ONE_EDIT);
        if (d > edits) continue;
        if (!best || d < best.d || (d === best.d && (c.count > best.count || (c.count === best.count && c.word < best.word)))) best = { ...c, d };
      }
    }
    return best?.word ?? null;
  }

  /** The text with each typo replaced by its correction, and the corrections made. */
  correct(text: string): { text: string; corrections: Correction[] } {
    const corrections: Correction[] = [];
    const out = text.replace(/[A-Za-z]+/g, (word: string, at: number) => {
      const before = text.slice(0, at).trimEnd();
      const opensSentence = before === '' || /[.?!]$/.test(before);
      const name = /[A-Z]/.test(word.slice(1)) || (!opensSentence && /^[A-Z]/.test(word));
      const to = name ? null : this.suggest(word);
      if (!to) return word;
      const written = /^[A-Z]/.test(word) ? to[0]!.toUpperCase() + to.slice(1) : to;
      corrections.push({ from: word, to: written });
      return written;
    });
    return { text: out, corrections };
  }
}

/**
 * The words a corrector corrects towards: the letter-only words of the papers' titles and abstracts,
 * with how often each occurs (words with digits are never corrected, nor corrected to).
 */
export function spellingVocabulary(papers: readonly Pick<Paper, 'title' | 'abstract'>[]): Map<string, number> {
  const vocabulary = new Map<string, number>();
  for (const p of papers) for (const w of words(`${p.title} ${p.abstract}`)) if (/^[a-z]+$/.test(w)) vocabulary.set(w, (vocabulary.get(w) ?? 0) + 1);
  return vocabulary;
}
