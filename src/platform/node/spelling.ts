import { readFileSync } from 'node:fs';
import wordListPath from 'word-list';
import type { Paper } from '../../corpus/schema.js';
import { SpellingCorrector, type SpellingOptions } from '../../retrieval/spelling.js';

/**
 * The spelling corrector for Node entries: the collection's words, and the `word-list` package's
 * 274k English words (about 90 ms to load) to tell a typo from a real word the papers do not use.
 */
export function loadSpelling(papers: readonly Pick<Paper, 'title' | 'abstract'>[], options?: SpellingOptions): SpellingCorrector {
  const english = new Set(readFileSync(wordListPath, 'utf8').split('\n'));
  return SpellingCorrector.fromPapers(papers, (w) => english.has(w), options);
}
