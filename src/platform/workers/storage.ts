/**
 * The Worker's two storage modes (INDEX_STORAGE), behind the retriever's interfaces:
 * - `assets`: the index files `npm run ingest` writes, uploaded as static assets (ASSETS binding)
 *   and loaded once per isolate;
 * - `d1`: papers, postings and the term dictionary in D1 (DB binding), loaded by `npm run deploy:data`.
 */
import { PaperSchema, type Paper } from '../../corpus/schema.js';
import { LexicalIndex } from '../../retrieval/lexical/lexical-index.js';
import type { LexicalSearcher, PaperStore } from '../../retrieval/retriever.js';
import { SpellingCorrector } from '../../retrieval/spelling.js';
import type { DocumentFrequencies } from '../../retrieval/term-stats.js';
import { CalibrationSchema, type Calibration } from '../../support/calibrate.js';
import type { AssetsLike, D1Like } from './bindings.js';
import { D1Collection } from './d1-collection.js';

/** What a storage mode provides. */
export interface WorkerCollection {
  papers: readonly Paper[] | PaperStore;
  lexical: LexicalSearcher;
  frequencies: DocumentFrequencies;
  calibration: Calibration;
  spelling: Pick<SpellingCorrector, 'correct'>;
  /** The embedder that made the index's vectors, if any. */
  embedder: { id: string; dim: number } | null;
}

/** The bindings the storage modes read. */
export interface StorageBindings {
  ASSETS?: AssetsLike;
  DB?: D1Like;
}

/**
 * The collection in the chosen storage mode. `isEnglishWord` tells a typo from a real word the
 * papers do not use (the spelling corrector's word list, bundled by the entry).
 */
export function openCollection(storage: 'assets' | 'd1', env: StorageBindings, isEnglishWord: (word: string) => boolean): Promise<WorkerCollection> {
  return storage === 'd1' ? fromD1(env, isEnglishWord) : fromAssets(env, isEnglishWord);
}

async function fromAssets(env: StorageBindings, isEnglishWord: (word: string) => boolean): Promise<WorkerCollection> {
  const assets = env.ASSETS;
  if (!assets) throw new Error('INDEX_STORAGE=assets needs the ASSETS binding ([assets] in wrangler.toml, directory = the index folder)');
  const read = async (name: string) => {
    const res = await assets.fetch(`https://assets.local/${name}`);
    if (!res.ok) throw new Error(`index file ${name} is missing from the deployment: run npm run ingest before wrangler deploy`);
    return res;
  };
  const [papersRes, lexicalRes, calibrationRes, manifestRes] = await Promise.all([read('papers.json'), read('lexical.bin'), read('calibration.json'), read('manifest.json')]);
  const papers = PaperSchema.array().parse(await papersRes.json());
  const lexical = LexicalIndex.fromBinary(await lexicalRes.arrayBuffer());
  const manifest = (await manifestRes.json()) as { embedder: { id: string; dim: number } | null };
  const calibration = CalibrationSchema.parse(await calibrationRes.json());
  return { papers, lexical, frequencies: lexical, calibration, spelling: SpellingCorrector.fromPapers(papers, isEnglishWord), embedder: manifest.embedder };
}

async function fromD1(env: StorageBindings, isEnglishWord: (word: string) => boolean): Promise<WorkerCollection> {
  if (!env.DB) throw new Error('INDEX_STORAGE=d1 needs a D1 binding named DB ([[d1_databases]] in wrangler.toml), loaded with npm run deploy:data');
  const collection = await D1Collection.open(env.DB);
  const meta = await collection.meta();
  return { papers: collection, lexical: collection, frequencies: collection, calibration: CalibrationSchema.parse(meta.calibration), spelling: collection.spelling(isEnglishWord), embedder: meta.embedder };
}
