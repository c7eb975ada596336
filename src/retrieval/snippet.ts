import { analyzedSentences } from './analyzed-sentences.js';
import { terms } from './text.js';

/**
 * The sentence of `text` that shares the most distinct query terms (earliest on a tie), cut to
 * `max` characters: a short answer to "why is this result here?". Pass the query's distinct terms
 * instead of its text to analyze the query once for many papers.
 */
export function bestSnippet(text: string, query: string | readonly string[], max = 240): string {
  const want = typeof query === 'string' ? [...new Set(terms(query))] : query;
  const sentences = analyzedSentences(text);
  let best = sentences[0]?.text ?? text;
  let bestHits = -1;
  for (const s of sentences) {
    const hits = want.filter((t) => s.terms.has(t)).length;
    if (hits > bestHits) {
      best = s.text;
      bestHits = hits;
    }
  }
  return best.length > max ? `${best.slice(0, max - 1).replace(/\s+\S*$/, '')}…` : best;
}
