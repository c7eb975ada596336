import type { Paper } from '../corpus/schema.js';
import type { Embedder } from './embedder.js';
import { weightedRankFusion } from './fusion.js';
import type { LexicalHit } from './lexical/lexical-index.js';
import { bestSnippet } from './snippet.js';
import { terms } from './text.js';
import type { SpellingCorrector } from './spelling.js';

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

/**
 * Where the papers are kept: in memory (the Node server, the bundled Worker) or in a database
 * (D1), read by id. Storage modes differ here and in `LexicalSearcher`, nowhere else.
 */
export interface PaperStore {
  readonly size: number;
  /** Every paper in corpus order when they are in memory; null when they are read on demand. */
  readonly all: readonly Paper[] | null;
  /** The papers with these ids (unknown ids are left out). */
  get(ids: readonly string[]): Promise<Map<string, Paper>>;
  /** Some paper of the collection (the first), for the health check's smoke query. */
  sample(): Promise<Paper | undefined>;
}

/** The dense retriever of a storage mode: `VectorStore` on Node, Vectorize on Workers. */
export interface VectorSearcher {
  /** The k papers whose vectors are most similar (cosine) to the query's, best first. */
  query(vector: number[], k: number): Promise<DenseHit[]>;
}

/** The lexical (BM25+) retriever of a storage mode: `LexicalIndex` in memory, `D1Collection` in D1. */
export interface LexicalSearcher {
  search(query: string, k: number): LexicalHit[] | Promise<LexicalHit[]>;
}

/** A `PaperStore` over papers in memory. */
export class MemoryPaperStore implements PaperStore {
  private readonly byId: Map<string, Paper>;

  constructor(readonly all: readonly Paper[]) {
    this.byId = new Map(all.map((p) => [p.id, p]));
  }

  get size(): number {
    return this.byId.size;
  }

  async get(ids: readonly string[]): Promise<Map<string, Paper>> {
    const out = new Map<string, Paper>();
    for (const id of ids) {
      const p = this.byId.get(id);
      if (p) out.set(id, p);
    }
    return out;
  }

  async sample(): Promise<Paper | undefined> {
    return this.all[0];
  }
}

/** What the HTTP layer and the answerers need from retrieval: runtime- and storage-agnostic. */
export interface Retriever {
  /** True when queries are embedded and fused with the lexical list. */
  readonly dense: boolean;
  /** The embedder of the dense retriever, for other comparisons in its space (claim checks); null without one. */
  readonly embedder: Embedder | null;
  readonly size: number;
  /** Every paper, in corpus order, when they are held in memory; null when they are stored in D1. */
  readonly papers: readonly Paper[] | null;
  getPaper(id: string): Promise<Paper | undefined>;
  /** The papers with these ids, in this order (unknown ids are left out). */
  getPapers(ids: readonly string[]): Promise<Paper[]>;
  /** A paper for the health check's smoke query (a search for its title must find it). */
  samplePaper(): Promise<Paper | undefined>;
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
  /** The papers, or the store that holds them. */
  papers: readonly Paper[] | PaperStore;
  lexical: LexicalSearcher;
  /** Both or neither: the embedder must be the one that built the vectors. */
  dense?: { embedder: Embedder; store: VectorSearcher } | null;
  /** Candidates taken from each list before fusion. Default 50. */
  depth?: number;
  /** RRF constant. Default 60. */
  rrfK?: number;
  /** Weight of the dense list in the fusion, the lexical one weighing 1 (the calibration's `denseWeight`). Default 1. */
  denseWeight?: number;
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
  private readonly store: PaperStore;
  private readonly depth: number;
  private readonly rrfK: number;
  private readonly denseParts: HybridRetrieverOptions['dense'];

  constructor(private readonly options: HybridRetrieverOptions) {
    this.store = isPaperStore(options.papers) ? options.papers : new MemoryPaperStore(options.papers);
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
    return this.store.size;
  }

  get papers(): readonly Paper[] | null {
    return this.store.all;
  }

  async getPaper(id: string): Promise<Paper | undefined> {
    return (await this.store.get([id])).get(id);
  }

  async getPapers(ids: readonly string[]): Promise<Paper[]> {
    const byId = await this.store.get(ids);
    return ids.map((id) => byId.get(id)).filter((p): p is Paper => p !== undefined);
  }

  samplePaper(): Promise<Paper | undefined> {
    return this.store.sample();
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
    const wantDense = this.denseParts && options?.dense !== false;
    // Both lists at once: with D1 and Vectorize each is a round trip.
    const [lexical, dense] = await Promise.all([
      this.options.lexical.search(query, depth),
      wantDense ? this.denseParts!.embedder.embedQuery(query).then((v) => this.denseParts!.store.query(v, depth)) : null,
    ]);
    const lexById = new Map(lexical.map((h, i) => [h.id, { rank: i + 1, score: h.score, terms: h.terms }]));
    const denseById = new Map((dense ?? []).map((h, i) => [h.id, { rank: i + 1, score: h.score }]));
    const fusedIds = dense ? weightedRankFusion([lexical, dense], [1, this.options.denseWeight ?? 1], this.rrfK) : lexical.map((h) => ({ id: h.id, score: h.score }));
    const fused: RetrievedPaper[] = [];
    // The papers of the first k ids; more only when some id has no paper (an index entry for a
    // paper no longer in the corpus).
    const byId = await this.store.get(fusedIds.slice(0, k).map((h) => h.id));
    if (byId.size < Math.min(k, fusedIds.length)) for (const [id, p] of await this.store.get(fusedIds.slice(k).map((h) => h.id))) byId.set(id, p);
    for (const { id, score } of fusedIds) {
      const paper = byId.get(id);
      if (!paper) continue; // an index entry for a paper no longer in the corpus: skip, never crash
      fused.push({ paper, score, lexical: lexById.get(id) ?? null, dense: denseById.get(id) ?? null });
      if (fused.length === k) break;
    }
    return { query, fused, lexical, dense };
  }
}

const isPaperStore = (x: readonly Paper[] | PaperStore): x is PaperStore => !Array.isArray(x);
