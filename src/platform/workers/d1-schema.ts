/**
 * What D1 holds for this app: the one contract between the export (`src/ingest/deploy-data.ts`,
 * which writes it) and `D1Collection` (which reads it).
 *
 * The schema holds the papers (as JSON, with the lengths BM25+ normalizes by), their postings
 * (one row per paper and index term: the term frequencies in title and abstract, as `LexicalIndex`
 * counts them), and `meta`: the calibration, the counts (`index`), and the term dictionary
 * (document frequencies, collection statistics, spelling vocabulary) in chunks under one pointer.
 */
import type { LexicalDictionaryData } from '../../retrieval/lexical/term-dictionary.js';

export const SCHEMA_SQL = `CREATE TABLE IF NOT EXISTS papers (
  n INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL,
  paper TEXT NOT NULL,
  title_length INTEGER NOT NULL,
  abstract_length INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS postings (
  term TEXT NOT NULL,
  n INTEGER NOT NULL,
  tf_title INTEGER NOT NULL,
  tf_abstract INTEGER NOT NULL,
  title_length INTEGER NOT NULL,
  abstract_length INTEGER NOT NULL,
  PRIMARY KEY (term, n)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postings_by_paper ON postings (n);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** A full export starts from empty tables, an earlier format's included (`papers_fts`: format 2's FTS5 table). */
export const DROP_SQL = 'DROP TABLE IF EXISTS papers_fts;\nDROP TABLE IF EXISTS postings;\nDROP TABLE IF EXISTS papers;\nDROP TABLE IF EXISTS meta;\n';

/** The dictionary stored in `meta` besides the papers. */
export interface D1Dictionary extends LexicalDictionaryData {
  /** The collection's words (letters only) and how often each occurs: the spelling vocabulary. */
  words: [string, number][];
}

/** Where the dictionary chunks are, and what the export recorded of the index. */
export interface D1Pointer {
  hash: string;
  chunks: number;
  papers: number;
  lexical: string;
}

/** The meta key of the dictionary pointer, and of its chunks (`dictionary:<hash>:<0000>`). */
export const DICTIONARY_KEY = 'dictionary';
export const chunkKey = (hash: string, i: number) => `${DICTIONARY_KEY}:${hash}:${String(i).padStart(4, '0')}`;
