import type { Paper } from '../corpus/schema.js';
import type { Embedder } from './embedder.js';
import { reciprocalRankFusion } from './fusion.js';
import type { LexicalHit, LexicalIndex } from './lexical.js';
import { bestSnippet } from './snippet.js';
import { terms } from './text.js';
import type { SpellingCorrector } from './spelling.js';
import type { VectorStore } from './vector-store.js';

export interface RetrievedPaper {
  paper: Paper;
  /** Fused (RRF) score: comparable within one result list only. */
  score: number;
  /** BM25 score and matched query terms, when the lexical retriever found the paper. */
  lexical: { rank: number; score: number; terms: string[] } | null;
  /** Cosine similarity, when the dense retriever found the paper. */
  dense: { rank: number; score: number } | null;
}

/** A dense hit: cosine similarity of the question's and the paper's embeddings. */
export interface DenseHit {
  id: string;
  score: number;
}

/**
 * Everything one search saw, best first: the fused list and the two lists it was fused from.
 * The support decision reads the lexical and dense lists; at ingestion its calibration reads
 * lists made by the same call, so both halves judge the same evidence.
 */
export interface RetrievalLists {
  /** The query as searched: the given one with its typos corrected (see `SpellingCorrector`). */
  query: string;
  fused: RetrievedPaper[];
  lexical: LexicalHit[];
  /** Null when there is no dense retrieval. */
  dense: DenseHit[] | null;
}

/** What the HTTP layer and the answerers need from retrieval: runtime-agnostic. */
export interface Retriever {
  /** True when queries are embedded and fused with the lexical list. */
  readonly dense: boolean;
  /** The embedder of the dense retriever, for other comparisons in its space (claim checks); null without one. */
  readonly embedder: Embedder | null;
  readonly size: number;
  /** Every paper, in corpus order. */
  readonly papers: readonly Paper[];
  getPaper(id: string): Paper | undefined;
  search(query: string, k: number): Promise<RetrievedPaper[]>;
  /**
   * The fused top-k and the lexical and dense lists (each `depth` deep) behind them.
   * `{ dense: false }` skips the dense list (a caller that reads only the lexical one).
   */
  lists(query: string, k: number, options?: { dense?: boolean }): Promise<RetrievalLists>;
  /** The sentence of each paper's abstract that best matches the query, in the papers' order. */
  snippets(papers: readonly Paper[], query: string): string[];
}

export interface HybridRetrieverOptions {
  papers: readonly Paper[];
  lexical: LexicalIndex;
  /** Both or neither: the embedder must be the one that built the vectors. */
  dense?: { embedder: Embedder; store: VectorStore } | null;
  /** Candidates taken from each list before fusion. Default 50. */
  depth?: number;
  /** RRF constant. Default 60. */
  rrfK?: number;
  /** Corrects typos in queries before both retrievers see them; none when absent. */
  spelling?: Pick<SpellingCorrector, 'correct'> | null;
}

/**
 * Lexical (BM25) and, when an embedder is available, dense retrieval fused by reciprocal rank.
 *
 * @example
 * const retriever = new HybridRetriever({ papers, lexical, dense: { embedder, store } });
 * const top = await retriever.search('graph neural networks for molecules', 5);
 */
export class HybridRetriever implements Retriever {
  private readonly byId: Map<string, Paper>;
  private readonly depth: number;
  private readonly rrfK: number;
  private readonly denseParts: HybridRetrieverOptions['dense'];

  constructor(private readonly options: HybridRetrieverOptions) {
    this.byId = new Map(options.papers.map((p) => [p.id, p]));
    this.depth = options.depth ?? 50;
    this.rrfK = options.rrfK ?? 60;
    this.denseParts = options.dense ?? null;
  }

  get dense(): boolean {
    return this.denseParts != null;
  }

  get embedder(): Embedder | null {
    return this.denseParts?.embedder ?? null;
  }

  get size(): number {
    return this.byId.size;
  }

  get papers(): readonly Paper[] {
    return this.options.papers;
  }

  getPaper(id: string): Paper | undefined {
    return this.byId.get(id);
  }

  snippets(papers: readonly Paper[], query: string): string[] {
    const want = [...new Set(terms(query))];
    return papers.map((p) => bestSnippet(p.abstract, want));
  }

  async search(query: string, k: number): Promise<RetrievedPaper[]> {
    return (await this.lists(query, k)).fused;
  }

  async lists(asked: string, k: number, options?: { dense?: boolean }): Promise<RetrievalLists> {
    const query = this.options.spelling?.correct(asked).text ?? asked;
    const depth = Math.max(k, this.depth);
    const lexical = this.options.lexical.search(query, depth);
    const dense = this.denseParts && options?.dense !== false ? await this.denseParts.store.query(await this.denseParts.embedder.embedQuery(query), depth) : null;
    const lexById = new Map(lexical.map((h, i) => [h.id, { rank: i + 1, score: h.score, terms: h.terms }]));
    const denseById = new Map((dense ?? []).map((h, i) => [h.id, { rank: i + 1, score: h.score }]));
    const fusedIds = dense ? reciprocalRankFusion([lexical, dense], this.rrfK) : lexical.map((h) => ({ id: h.id, score: h.score }));
    const fused: RetrievedPaper[] = [];
    for (const { id, score } of fusedIds) {
      const paper = this.byId.get(id);
      if (!paper) continue; // an index entry for a paper no longer in the corpus: skip, never crash
      fused.push({ paper, score, lexical: lexById.get(id) ?? null, dense: denseById.get(id) ?? null });
      if (fused.length === k) break;
    }
    return { query, fused, lexical, dense };
  }
}
