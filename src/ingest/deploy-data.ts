import { createHash } from 'node:crypto';
import type { Paper } from '../corpus/schema.js';
import type { LoadedIndex } from './index-files.js';

/**
 * Turns a local index into what Cloudflare's D1 and Vectorize load: SQL files that
 * `wrangler d1 execute --file` runs, and NDJSON that `wrangler vectorize upsert --file` takes.
 * Idempotent and incremental: given what the previous export wrote (`ExportState`, paper id →
 * content hash), it emits only papers that are new or changed, and deletes the ones that are gone.
 * Pure: the caller writes the files and the state.
 *
 * The D1 schema holds the papers and an FTS5 index of their titles and abstracts (queried with
 * `bm25()`), whose rowid is the paper's `n`, plus `meta` (the calibration and the counts).
 */

/** Limits of the export, in one place. D1 refuses a statement over 100 KB. */
export const DEPLOY_DEFAULTS = {
  /** Bytes of SQL per file: each file is one `wrangler d1 execute` call. */
  fileBytes: 4_000_000,
  /** Bytes of one statement at most (D1's limit is 100 KB). */
  statementBytes: 100_000,
  /** Vectors per NDJSON file (Vectorize takes up to 5,000 per upload batch; wrangler batches). */
  vectorsPerFile: 5_000,
} as const;

export const DEPLOY_FORMAT = 1;

/** What the previous export sent: each paper's content hash (the paper and its vector). */
export interface ExportState {
  format: number;
  papers: Record<string, string>;
}

export interface ExportFile {
  name: string;
  text: string;
}

export interface ExportPlan {
  sql: ExportFile[];
  vectors: ExportFile[];
  /** Ids whose vectors must be deleted from Vectorize. */
  deleteVectorIds: string[];
  state: ExportState;
  counts: { added: number; changed: number; removed: number; unchanged: number };
}

export const SCHEMA_SQL = `CREATE TABLE IF NOT EXISTS papers (
  n INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL,
  title TEXT NOT NULL,
  abstract TEXT NOT NULL,
  url TEXT,
  authors TEXT,
  year INTEGER
);
CREATE VIRTUAL TABLE IF NOT EXISTS papers_fts USING fts5(title, abstract, tokenize = 'porter unicode61');
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** A SQL string literal. */
export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlValue = (v: string | number | null | undefined) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : sqlString(v));

const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

/** The content hash of a paper as exported: its record and, with vectors, its vector's bytes. */
export function paperHash(paper: Paper, vector: Float32Array | null): string {
  const h = sha256(JSON.stringify([paper.id, paper.title, paper.abstract, paper.url ?? null, paper.authors ?? null, paper.year ?? null]));
  return vector ? sha256(h + sha256(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength))) : h;
}

/** Statements that insert or update one paper and its FTS5 row (an updated paper keeps its `n`). */
function upsertPaper(p: Paper, hash: string): string {
  const values = [p.id, hash, p.title, p.abstract, p.url, p.authors ? JSON.stringify(p.authors) : null, p.year].map(sqlValue).join(', ');
  return (
    `INSERT INTO papers (id, hash, title, abstract, url, authors, year) VALUES (${values}) ` +
    `ON CONFLICT(id) DO UPDATE SET hash = excluded.hash, title = excluded.title, abstract = excluded.abstract, url = excluded.url, authors = excluded.authors, year = excluded.year;\n` +
    `DELETE FROM papers_fts WHERE rowid = (SELECT n FROM papers WHERE id = ${sqlString(p.id)});\n` +
    `INSERT INTO papers_fts (rowid, title, abstract) SELECT n, title, abstract FROM papers WHERE id = ${sqlString(p.id)};\n`
  );
}

function deletePaper(id: string): string {
  return `DELETE FROM papers_fts WHERE rowid = (SELECT n FROM papers WHERE id = ${sqlString(id)});\nDELETE FROM papers WHERE id = ${sqlString(id)};\n`;
}

/** Packs statements into files of at most `fileBytes` (a statement is never split). */
function packFiles(prefix: string, statements: string[], fileBytes: number): ExportFile[] {
  const files: ExportFile[] = [];
  let current = '';
  const flush = () => {
    if (current) files.push({ name: `${prefix}-${String(files.length + 1).padStart(4, '0')}.sql`, text: current });
    current = '';
  };
  for (const s of statements) {
    if (current.length + s.length > fileBytes) flush();
    current += s;
  }
  flush();
  return files;
}

/**
 * What to send to D1 and Vectorize to bring them from `previous` (null: empty) to `index`.
 * Throws when a paper's statement would pass D1's statement limit (an abstract over ~100 KB).
 */
export function planExport(index: Pick<LoadedIndex, 'papers' | 'calibration' | 'manifest' | 'vectors'>, previous: ExportState | null, options: { [K in keyof typeof DEPLOY_DEFAULTS]?: number } = {}): ExportPlan {
  const o = { ...DEPLOY_DEFAULTS, ...options };
  const before = previous?.format === DEPLOY_FORMAT ? previous.papers : {};
  const vectors = new Map<string, Float32Array>();
  for (const { id, vector } of index.vectors?.entries() ?? []) vectors.set(id, vector);
  const state: ExportState = { format: DEPLOY_FORMAT, papers: {} };
  const statements: string[] = [];
  const changedVectors: string[] = [];
  const counts = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  for (const p of index.papers) {
    const hash = paperHash(p, vectors.get(p.id) ?? null);
    state.papers[p.id] = hash;
    if (before[p.id] === hash) {
      counts.unchanged++;
      continue;
    }
    counts[before[p.id] ? 'changed' : 'added']++;
    const sql = upsertPaper(p, hash);
    if (sql.length > o.statementBytes * 3) throw new Error(`paper ${p.id} is too large for one D1 statement (${sql.length} bytes of SQL)`);
    statements.push(sql);
    if (vectors.has(p.id)) changedVectors.push(p.id);
  }
  const removed = Object.keys(before).filter((id) => !(id in state.papers));
  counts.removed = removed.length;
  for (const id of removed) statements.push(deletePaper(id));
  const meta = { papers: index.papers.length, lexical: index.manifest.lexical, embedder: index.manifest.embedder, builtAt: index.manifest.builtAt };
  statements.push(
    `INSERT INTO meta (key, value) VALUES ('calibration', ${sqlString(JSON.stringify(index.calibration))}), ('index', ${sqlString(JSON.stringify(meta))}) ` +
      `ON CONFLICT(key) DO UPDATE SET value = excluded.value;\n`,
  );

  const vectorFiles: ExportFile[] = [];
  for (let i = 0; i < changedVectors.length; i += o.vectorsPerFile) {
    const lines = changedVectors.slice(i, i + o.vectorsPerFile).map((id) => JSON.stringify({ id, values: Array.from(vectors.get(id)!) }));
    vectorFiles.push({ name: `vectors-${String(vectorFiles.length + 1).padStart(4, '0')}.ndjson`, text: `${lines.join('\n')}\n` });
  }
  return {
    sql: [{ name: 'schema.sql', text: SCHEMA_SQL }, ...packFiles('papers', statements, o.fileBytes)],
    vectors: vectorFiles,
    deleteVectorIds: index.vectors ? removed : [],
    state,
    counts,
  };
}
