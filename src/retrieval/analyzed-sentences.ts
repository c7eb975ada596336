import { splitSentences } from '../corpus/sentences.js';
import { terms } from './text.js';

export interface AnalyzedSentence {
  text: string;
  terms: ReadonlySet<string>;
}

const cache = new Map<string, AnalyzedSentence[]>();
const MAX_CACHED = 20_000;

/**
 * The sentences of a text with their index terms, memoized: abstracts are split and stemmed once,
 * not on every search or answer.
 */
export function analyzedSentences(text: string): AnalyzedSentence[] {
  let hit = cache.get(text);
  if (!hit) {
    hit = splitSentences(text).map((s) => ({ text: s, terms: new Set(terms(s)) }));
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(text, hit);
  }
  return hit;
}
