import { PaperSchema, type Paper } from '../../corpus/schema.js';
import { analyzeQuery, lexicalFingerprint } from '../../retrieval/lexical/analyzer.js';
import { bm25PlusImpact, LEXICAL_DEFAULTS } from '../../retrieval/lexical/bm25.js';
import type { LexicalHit } from '../../retrieval/lexical/lexical-index.js';
import { TermDictionary, type Expansion } from '../../retrieval/lexical/term-dictionary.js';
import type { LexicalSearcher, PaperStore } from '../../retrieval/retriever.js';
import { SpellingCorrector } from '../../retrieval/spelling.js';
import type { DocumentFrequencies } from '../../retrieval/term-stats.js';
import { byScoreThenId } from '../../util/compare.js';
import type { D1Like } from './bindings.js';
import { chunkKey, DICTIONARY_KEY, type D1Dictionary, type D1Pointer } from './d1-schema.js';

/** Defaults of the D1 storage mode (one place). */
export const D1_DEFAULTS = {
  /**
   * Papers beyond k that SQL ranks (in double precision) before the exact rescoring (float32
   * impacts, as on Node) picks the k: ties within rounding error cannot push one out.
   */
  margin: 10,
  /** How often an isolate checks whether a new export replaced the dictionary. */
  refreshMs: 60_000,
} as const;

/** D1 holds data this code cannot read (another export format or scorer): what to do about it. */
export class D1DataError extends Error {}

/** A query term, how often the query uses it, and the index terms it stands for. */
interface ExpandedTerm {
  source: string;
  occurrences: number;
  expansions: Expansion[];
}

/** A paper to score: its id, field lengths, and the frequencies of the query's terms in each field. */
interface Candidate {
  id: string;
  tl: number;
  al: number;
  title: Map<string, number>;
  abstract: Map<string, number>;
}

/**
 * The collection in D1: papers by id, and BM25+ search that ranks exactly as `LexicalIndex` does.
 * The query is analyzed and expanded (prefix, edit distance) against the dictionary (loaded once
 * per isolate, re-checked every `refreshMs`) as on Node; SQL then scores the papers from the
 * `postings` table with the same BM25+ formula and weights, and the best k + `margin` are rescored
 * exactly (float32 impacts, Node's order of summation). So a question gets the same papers, in the
 * same order, with the same scores. FTS5's `bm25()` is not used: it has no BM25+ floor, no
 * weighted expansions and no reward for matching more query terms, and ranked only 23 of the 120
 * dev questions' top 50 as Node does at 10,000 papers (89 of their top 10).
 *
 * @example
 * const collection = await D1Collection.open(env.DB);
 * const retriever = new HybridRetriever({ papers: collection, lexical: collection });
 */
export class D1Collection implements PaperStore, LexicalSearcher, DocumentFrequencies {
  readonly all = null;
  private dictionary!: TermDictionary;
  private data!: D1Dictionary;
  private pointer!: D1Pointer;
  private checkedAt = 0;
  private refreshing: Promise<void> | null = null;

  private constructor(
    private readonly db: D1Like,
    private readonly options: { margin: number; refreshMs: number },
  ) {}

  static async open(db: D1Like, options: Partial<typeof D1_DEFAULTS> = {}): Promise<D1Collection> {
    const c = new D1Collection(db, { ...D1_DEFAULTS, ...options });
    await c.load(await c.readPointer());
    return c;
  }

  /**
   * A spelling corrector over the collection's words (the dictionary's), rebuilt when a new
   * export replaces the dictionary.
   */
  spelling(isWord: (word: string) => boolean): Pick<SpellingCorrector, 'correct'> {
    let built: { for: D1Dictionary; corrector: SpellingCorrector } | null = null;
    return {
      correct: (text) => {
        if (built?.for !== this.data) built = { for: this.data, corrector: new SpellingCorrector(new Map(this.data.words), isWord) };
        return built.corrector.correct(text);
      },
    };
  }

  get size(): number {
    return this.data.stats.n;
  }

  documentFrequency(term: string): number {
    const t = this.dictionary.number(term);
    return t === undefined ? 0 : this.data.df[t]!;
  }

  async get(ids: readonly string[]): Promise<Map<string, Paper>> {
    const out = new Map<string, Paper>();
    const unique = [...new Set(ids)];
    // D1 binds at most 100 parameters per statement.
    for (let i = 0; i < unique.length; i += 100) {
      const part = unique.slice(i, i + 100);
      const { results } = await this.db
        .prepare(`SELECT id, paper FROM papers WHERE id IN (${part.map(() => '?').join(', ')})`)
        .bind(...part)
        .all<{ id: string; paper: string }>();
      for (const r of results) out.set(r.id, PaperSchema.parse(JSON.parse(r.paper)));
    }
    return out;
  }

  async sample(): Promise<Paper | undefined> {
    const row = await this.db.prepare('SELECT paper FROM papers ORDER BY n LIMIT 1').first<{ paper: string }>();
    return row ? PaperSchema.parse(JSON.parse(row.paper)) : undefined;
  }

  async search(query: string, k: number): Promise<LexicalHit[]> {
    await this.refresh();
    const sources = analyzeQuery(query);
    if (!sources.size || !this.size || k <= 0) return [];
    const expanded: ExpandedTerm[] = [];
    for (const [source, occurrences] of sources) {
      const expansions = this.dictionary.expand(source);
      if (expansions.length) expanded.push({ source, occurrences, expansions });
    }
    if (!expanded.length) return [];
    return this.rescore(await this.candidates(expanded, k + this.options.margin), expanded, k);
  }

  /**
   * The `limit` best papers by BM25+ computed in SQL over the postings of the expanded terms (in
   * double precision: within a few units in the last place of the stored float32 impacts), with
   * their term frequencies for the exact rescoring.
   */
  private async candidates(expanded: readonly ExpandedTerm[], limit: number): Promise<Candidate[]> {
    const { dictionary, data } = this;
    const { n, avgTitle, avgAbstract } = data.stats;
    const { k1, b, delta } = LEXICAL_DEFAULTS;
    const idf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
    // One row per expansion: term, query term number, weight, and the term's IDF in each field.
    const rows = expanded.flatMap((x, s) => x.expansions.map((e) => [dictionary.terms[e.term]!, s, e.weight * x.occurrences, idf(data.dfTitle[e.term]!), idf(data.dfAbstract[e.term]!)]));
    const field = (tf: string, length: string, lengthFactor: string) => `(?3 + (${tf} * ?4) / (${tf} + ?5 * (?6 + ${lengthFactor} * ${length})))`;
    const sql =
      "WITH q(term, s, w, it, ia) AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]') FROM json_each(?1)), " +
      'top AS (SELECT p.n AS n, ' +
      `SUM(q.w * (CASE WHEN p.tf_title > 0 THEN ?2 * q.it * ${field('p.tf_title', 'p.title_length', '?7')} ELSE 0 END + CASE WHEN p.tf_abstract > 0 THEN q.ia * ${field('p.tf_abstract', 'p.abstract_length', '?8')} ELSE 0 END)) * COUNT(DISTINCT q.s) AS approx, ` +
      'MAX(p.title_length) AS tl, MAX(p.abstract_length) AS al FROM q JOIN postings p ON p.term = q.term GROUP BY p.n ORDER BY approx DESC LIMIT ?9) ' +
      // The term frequencies of the few papers kept, looked up by (term, paper): not concatenated
      // for every paper that matched.
      "SELECT papers.id AS id, top.tl AS tl, top.al AS al, (SELECT group_concat(p2.term || ' ' || p2.tf_title || ' ' || p2.tf_abstract, ' ') " +
      'FROM (SELECT DISTINCT term FROM q) qt JOIN postings p2 ON p2.term = qt.term AND p2.n = top.n) AS tfs FROM top JOIN papers ON papers.n = top.n';
    const { results } = await this.db
      .prepare(sql)
      .bind(JSON.stringify(rows), data.options.titleBoost, delta, k1 + 1, k1, 1 - b, b / avgTitle, b / avgAbstract, limit)
      .all<{ id: string; tfs: string; tl: number; al: number }>();
    return results.map((r) => {
      const title = new Map<string, number>();
      const abstract = new Map<string, number>();
      const parts = r.tfs.split(' ');
      for (let i = 0; i + 2 < parts.length; i += 3) {
        title.set(parts[i]!, Number(parts[i + 1]));
        abstract.set(parts[i]!, Number(parts[i + 2]));
      }
      return { id: r.id, tl: r.tl, al: r.al, title, abstract };
    });
  }

  /** The k best candidates, scored exactly as `LexicalIndex.search` scores them. */
  private rescore(candidates: readonly Candidate[], expanded: readonly ExpandedTerm[], k: number): LexicalHit[] {
    const { dictionary, data } = this;
    const scored: LexicalHit[] = [];
    for (const c of candidates) {
      // The sum in LexicalIndex.search's order (query terms, then their expansions), with the
      // impact rounded to float32 as the index stores it: the same score to the last bit.
      let sum = 0;
      let matched = 0;
      const queryTerms: string[] = [];
      const terms: string[] = [];
      for (const { source, occurrences, expansions } of expanded) {
        let found = false;
        for (const { term, weight } of expansions) {
          const name = dictionary.terms[term]!;
          const tt = c.title.get(name) ?? 0;
          const ta = c.abstract.get(name) ?? 0;
          if (!tt && !ta) continue;
          const impact = Math.fround(bm25PlusImpact(data.stats, data.options, tt, data.dfTitle[term]!, c.tl, ta, data.dfAbstract[term]!, c.al));
          sum += weight * occurrences * impact;
          found = true;
          if (!terms.includes(name)) terms.push(name);
        }
        if (found) {
          matched++;
          queryTerms.push(source);
        }
      }
      if (matched) scored.push({ id: c.id, score: sum * matched, terms, queryTerms });
    }
    return scored.sort(byScoreThenId).slice(0, k);
  }

  /** What the export recorded besides the dictionary: the calibration, and the embedder of the vectors. */
  async meta(): Promise<{ calibration: unknown; embedder: { id: string; dim: number } | null }> {
    const { results } = await this.db.prepare("SELECT key, value FROM meta WHERE key IN ('calibration', 'index')").all<{ key: string; value: string }>();
    const get = (key: string) => {
      const row = results.find((r) => r.key === key);
      if (!row) throw new D1DataError(`the D1 database has no ${key} record: run npm run deploy:data -- --full and the commands it prints`);
      return JSON.parse(row.value) as unknown;
    };
    const index = get('index') as { embedder: { id: string; dim: number } | null };
    return { calibration: get('calibration'), embedder: index.embedder ?? null };
  }

  private async readPointer(): Promise<D1Pointer> {
    const row = await this.db.prepare('SELECT value FROM meta WHERE key = ?1').bind(DICTIONARY_KEY).first<{ value: string }>().catch((e: Error) => {
      throw new D1DataError(`the D1 database has no paper-chat tables (${e.message}): load it with npm run deploy:data and the commands it prints`);
    });
    if (!row) throw new D1DataError('the D1 database holds no paper-chat dictionary: load it with npm run deploy:data and the commands it prints');
    const pointer = JSON.parse(row.value) as D1Pointer;
    if (pointer.lexical !== lexicalFingerprint()) {
      throw new D1DataError(`the D1 data was indexed by another version (${pointer.lexical}, this Worker scores with ${lexicalFingerprint()}): run npm run ingest, then npm run deploy:data -- --full and the commands it prints`);
    }
    return pointer;
  }

  private async load(pointer: D1Pointer): Promise<void> {
    const { results } = await this.db
      .prepare('SELECT value FROM meta WHERE key >= ?1 AND key <= ?2 ORDER BY key')
      .bind(chunkKey(pointer.hash, 0), chunkKey(pointer.hash, pointer.chunks - 1))
      .all<{ value: string }>();
    if (results.length !== pointer.chunks) throw new D1DataError(`the D1 dictionary is incomplete (${results.length} of ${pointer.chunks} parts): run the commands npm run deploy:data printed, in order`);
    const data = JSON.parse(results.map((r) => r.value).join('')) as D1Dictionary;
    if (data.format !== 1 || !Array.isArray(data.dfTitle) || data.dfTitle.length !== data.terms.length) {
      throw new D1DataError('the D1 dictionary is of another format: run npm run deploy:data -- --full and the commands it prints');
    }
    this.data = data;
    this.dictionary = new TermDictionary(data.terms, data.options);
    this.pointer = pointer;
    this.checkedAt = Date.now();
  }

  /** Reloads the dictionary when a new export replaced it (checked at most every `refreshMs`). */
  private async refresh(): Promise<void> {
    if (Date.now() - this.checkedAt < this.options.refreshMs) return;
    this.refreshing ??= (async () => {
      try {
        const pointer = await this.readPointer();
        if (pointer.hash !== this.pointer.hash) await this.load(pointer);
        this.checkedAt = Date.now();
      } finally {
        this.refreshing = null;
      }
    })();
    await this.refreshing;
  }
}
