import type { Paper } from '../corpus/schema.js';
import { terms } from './text.js';

/** Where document frequencies come from: the BM25 index already holds them (`LexicalIndex`). */
export interface DocumentFrequencies {
  readonly size: number;
  documentFrequency(term: string): number;
}

/**
 * Document frequencies of index terms over titles and abstracts, for IDF weighting of query
 * terms in sentence selection and answer support. Read from the BM25 index when there is one
 * (nothing to recount at start-up); counted from the papers otherwise.
 */
export class TermStats {
  private readonly df: (term: string) => number;
  readonly documents: number;

  constructor(source: readonly Pick<Paper, 'title' | 'abstract'>[] | DocumentFrequencies) {
    if (Array.isArray(source)) {
      const counts = new Map<string, number>();
      for (const p of source as readonly Pick<Paper, 'title' | 'abstract'>[]) {
        for (const t of new Set(terms(`${p.title} ${p.abstract}`))) counts.set(t, (counts.get(t) ?? 0) + 1);
      }
      this.documents = source.length;
      this.df = (t) => counts.get(t) ?? 0;
    } else {
      const index = source as DocumentFrequencies;
      this.documents = index.size;
      this.df = (t) => index.documentFrequency(t);
    }
  }

  /** BM25-style IDF; a term no paper contains gets the highest weight. */
  idf(term: string): number {
    const n = this.df(term);
    return Math.log(1 + (this.documents - n + 0.5) / (n + 0.5));
  }

  has(term: string): boolean {
    return this.df(term) > 0;
  }

  /** Summed IDF of a set of terms. */
  mass(termList: Iterable<string>): number {
    let sum = 0;
    for (const t of termList) sum += this.idf(t);
    return sum;
  }
}
