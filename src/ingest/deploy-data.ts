import type { Paper } from '../corpus/schema.js';
import type { LoadedIndex } from '../platform/node/index-files.js';
import { chunkKey, DICTIONARY_KEY, DROP_SQL, SCHEMA_SQL, type D1Dictionary, type D1Pointer } from '../platform/workers/d1-schema.js';
import { analyzeFields, lexicalFingerprint } from '../retrieval/lexical/analyzer.js';
import { lexicalDictionary } from '../retrieval/lexical/term-dictionary.js';
import { spellingVocabulary } from '../retrieval/spelling.js';
import { compareIds } from '../util/compare.js';
import { sha256Hex as sha256 } from '../util/hash.js';

/**
 * Turns a local index into what Cloudflare's D1 and Vectorize load: SQL files that
 * `wrangler d1 execute --file` runs, and NDJSON that `wrangler vectorize upsert --file` takes.
 * Idempotent and incremental: given what the previous export wrote (`ExportState`, paper id →
 * content hash), it emits only papers that are new or changed, and deletes the ones that are gone.
 * Pure: the caller writes the files and the state.
 *
 * What D1 holds is `src/platform/workers/d1-schema.ts`: the papers, their postings and the term
 * dictionary, so the Worker scores exactly as Node does (see `D1Collection`).
 */

/** Limits of the export, in one place. D1 refuses a statement over 100 KB. */
export const DEPLOY_DEFAULTS = {
  /** Bytes of SQL per file: each file is one `wrangler d1 execute` call. */
  fileBytes: 4_000_000,
  /** Bytes of one statement at most (D1's limit is 100 KB). */
  statementBytes: 100_000,
  /** Vectors per NDJSON file (Vectorize takes up to 5,000 per upload batch; wrangler batches). */
  vectorsPerFile: 5_000,
  /** Characters of the dictionary per meta row (one statement each, within the statement limit). */
  dictionaryChunk: 90_000,
} as const;

export const DEPLOY_FORMAT = 3;

/** What the previous export sent: each paper's content hash (the paper and its vector), and the dictionary's. */
export interface ExportState {
  format: number;
  papers: Record<string, string>;
  dictionary?: string;
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

/** A SQL string literal. */
export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlValue = (v: string | number | null | undefined) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : sqlString(v));

/** The content hash of a paper as exported: its record and, with vectors, its vector's bytes. */
export async function paperHash(paper: Paper, vector: Float32Array | null): Promise<string> {
  const h = await sha256(JSON.stringify([paper.id, paper.title, paper.abstract, paper.url ?? null, paper.authors ?? null, paper.year ?? null]));
  return vector ? sha256(h + (await sha256(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength)))) : h;
}

/**
 * Statements that insert or update one paper and its postings (an updated paper keeps its `n`):
 * each index term of the paper with its frequency in the title and in the abstract.
 */
function upsertPaper(p: Paper, hash: string): string {
  const f = analyzeFields(p);
  const values = [p.id, hash, JSON.stringify(p), f.titleLength, f.abstractLength].map(sqlValue).join(', ');
  const id = sqlString(p.id);
  const tf = new Map<string, [number, number]>();
  for (const t of f.titleTerms) (tf.get(t) ?? tf.set(t, [0, 0]).get(t)!)[0]++;
  for (const t of f.abstractTerms) (tf.get(t) ?? tf.set(t, [0, 0]).get(t)!)[1]++;
  const rows = JSON.stringify([...tf].map(([t, [a, b]]) => [t, a, b]));
  return (
    `INSERT INTO papers (id, hash, paper, title_length, abstract_length) VALUES (${values}) ` +
    `ON CONFLICT(id) DO UPDATE SET hash = excluded.hash, paper = excluded.paper, title_length = excluded.title_length, abstract_length = excluded.abstract_length;\n` +
    `DELETE FROM postings WHERE n = (SELECT n FROM papers WHERE id = ${id});\n` +
    `INSERT INTO postings (term, n, tf_title, tf_abstract, title_length, abstract_length) ` +
    `SELECT json_extract(j.value, '$[0]'), p.n, json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), p.title_length, p.abstract_length ` +
    `FROM papers p, json_each(${sqlString(rows)}) j WHERE p.id = ${id};\n`
  );
}

/** The dictionary `D1Collection` loads: the index's term statistics and the spelling vocabulary. */
export function d1Dictionary(papers: readonly Paper[]): D1Dictionary {
  return { ...lexicalDictionary(papers), words: [...spellingVocabulary(papers)].sort((a, b) => compareIds(a[0], b[0])) };
}

/**
 * Statements that store the dictionary in chunks under a new key, point at it, then drop other
 * chunks: a Worker reading meanwhile sees the old dictionary or the new one, never a mix.
 */
function dictionaryStatements(dictionary: D1Dictionary, hash: string, papers: number, chunk: number): string[] {
  const text = JSON.stringify(dictionary);
  const statements: string[] = [];
  for (let i = 0; i * chunk < text.length; i++) {
    statements.push(`INSERT OR REPLACE INTO meta (key, value) VALUES (${sqlString(chunkKey(hash, i))}, ${sqlString(text.slice(i * chunk, (i + 1) * chunk))});\n`);
  }
  const pointer: D1Pointer = { hash, chunks: statements.length, papers, lexical: lexicalFingerprint() };
  statements.push(
    `INSERT INTO meta (key, value) VALUES (${sqlString(DICTIONARY_KEY)}, ${sqlString(JSON.stringify(pointer))}) ON CONFLICT(key) DO UPDATE SET value = excluded.value;\n`,
    `DELETE FROM meta WHERE key LIKE ${sqlString(`${DICTIONARY_KEY}:%`)} AND key NOT LIKE ${sqlString(`${DICTIONARY_KEY}:${hash}:%`)};\n`,
  );
  return statements;
}

function deletePaper(id: string): string {
  return `DELETE FROM postings WHERE n = (SELECT n FROM papers WHERE id = ${sqlString(id)});\nDELETE FROM papers WHERE id = ${sqlString(id)};\n`;
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
export async function planExport(index: Pick<LoadedIndex, 'papers' | 'calibration' | 'manifest' | 'vectors'>, previous: ExportState | null, options: { [K in keyof typeof DEPLOY_DEFAULTS]?: number } = {}): Promise<ExportPlan> {
  const o = { ...DEPLOY_DEFAULTS, ...options };
  const before = previous?.format === DEPLOY_FORMAT ? previous.papers : {};
  const vectors = new Map<string, Float32Array>();
  for (const { id, vector } of index.vectors?.entries() ?? []) vectors.set(id, vector);
  const state: ExportState = { format: DEPLOY_FORMAT, papers: {} };
  const full = previous?.format !== DEPLOY_FORMAT;
  const statements: string[] = [];
  const changedVectors: string[] = [];
  const counts = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  for (const p of index.papers) {
    const hash = await paperHash(p, vectors.get(p.id) ?? null);
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
  // The dictionary changes with any paper (document frequencies, mean lengths): re-sent when it does.
  const dictionary = d1Dictionary(index.papers);
  const dictionaryHash = (await sha256(JSON.stringify(dictionary))).slice(0, 16);
  state.dictionary = dictionaryHash;
  if (full || previous?.dictionary !== dictionaryHash) statements.push(...dictionaryStatements(dictionary, dictionaryHash, index.papers.length, o.dictionaryChunk));

  const vectorFiles: ExportFile[] = [];
  for (let i = 0; i < changedVectors.length; i += o.vectorsPerFile) {
    const lines = changedVectors.slice(i, i + o.vectorsPerFile).map((id) => JSON.stringify({ id, values: Array.from(vectors.get(id)!) }));
    vectorFiles.push({ name: `vectors-${String(vectorFiles.length + 1).padStart(4, '0')}.ndjson`, text: `${lines.join('\n')}\n` });
  }
  return {
    sql: [{ name: 'schema.sql', text: (full ? DROP_SQL : '') + SCHEMA_SQL }, ...packFiles('papers', statements, o.fileBytes)],
    vectors: vectorFiles,
    deleteVectorIds: index.vectors ? removed : [],
    state,
    counts,
  };
}
