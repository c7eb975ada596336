import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Paper } from '../../corpus/schema.js';
import { ManifestSchema, type Manifest } from '../../ingest/manifest.js';
import { LexicalIndex } from '../../retrieval/lexical/lexical-index.js';
import { CalibrationSchema, type Calibration } from '../../support/calibrate.js';
import { sha256HexSync as sha256 } from './hash.js';
import { VectorStore } from './vector-store.js';

/** File names inside an index folder. */
export const FILES = {
  manifest: 'manifest.json',
  papers: 'papers.json',
  lexical: 'lexical.bin',
  calibration: 'calibration.json',
  vectors: 'vectors',
} as const;

export interface LoadedIndex {
  manifest: Manifest;
  papers: Paper[];
  lexical: LexicalIndex;
  calibration: Calibration;
  vectors: VectorStore | null;
}

/** Where the previous index waits during a swap; restored if a crash left no index in place. */
export const backupDir = (indexDir: string) => `${indexDir}.previous`;

/** A folder this app may replace or delete, or the reason it may not. */
export class ForeignFolderError extends Error {
  override name = 'ForeignFolderError';
}

/** Every name an index folder holds (OWNER_FILE while it is being built). */
const INDEX_NAMES: ReadonlySet<string> = new Set([...Object.values(FILES), '.owner']);

/**
 * Whether `dir` is an index this app built: it holds a manifest.json that reads as one (a corpus
 * hash, a format and a build time; any format version, so an old index can still be replaced), or
 * nothing but the files an index is made of (a damaged index, its manifest unreadable). A missing
 * or empty folder counts too: nothing would be lost.
 */
export function isOwnIndexFolder(dir: string): boolean {
  if (!existsSync(dir)) return true;
  const entries = readdirSync(dir);
  if (entries.every((e) => INDEX_NAMES.has(e))) return true;
  try {
    const m = JSON.parse(readFileSync(join(dir, FILES.manifest), 'utf8')) as Record<string, unknown>;
    return typeof m.corpusHash === 'string' && typeof m.format === 'number' && typeof m.builtAt === 'string';
  } catch {
    return false;
  }
}

/** Refuses, with a message naming the path, to replace or delete a folder this app did not build. */
export function assertOwnFolder(dir: string, role: string): void {
  if (isOwnIndexFolder(dir)) return;
  throw new ForeignFolderError(
    `${role} ${dir} exists and is not an index this app built (no paper-chat manifest.json in it), so it will not be replaced or deleted. ` +
      `Point INDEX_DIR at a new or empty folder, or move that folder's contents away.`,
  );
}

/** The prefix of the temporary folders an ingest builds in, beside the index. */
export const buildPrefix = (indexDir: string) => `.${basename(indexDir)}.building-`;
/** The file in a build folder naming the process that builds there. */
const OWNER_FILE = '.owner';

/** Records this process as the builder of `dir`, so a later start can tell a live build from a dead one. */
export const claimBuildFolder = (dir: string) => writeFile(join(dir, OWNER_FILE), String(process.pid));

/** The build is complete: the folder becomes an index and needs no owner. */
export const releaseBuildFolder = (dir: string) => rm(join(dir, OWNER_FILE), { force: true });

/** Whether a process with this id runs (one this process may not signal counts as running). */
export const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Deletes build folders that a killed ingest left beside the index (their builder is no longer
 * running); a build in progress in another process is left alone. Returns the folders removed.
 */
export async function sweepStaleBuilds(indexDir: string): Promise<string[]> {
  const parent = dirname(indexDir);
  if (!existsSync(parent)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(buildPrefix(indexDir))) continue;
    const dir = join(parent, name);
    const owner = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/**
 * Finishes an interrupted swap: if the index folder is missing but the previous one was moved
 * aside, put it back.
 */
export async function recoverInterruptedSwap(indexDir: string): Promise<void> {
  if (!existsSync(indexDir) && existsSync(join(backupDir(indexDir), FILES.manifest))) {
    await rename(backupDir(indexDir), indexDir);
  }
}

/** The manifest of the index in `indexDir`, or null when there is no readable one. */
export async function readManifest(indexDir: string): Promise<Manifest | null> {
  await recoverInterruptedSwap(indexDir);
  try {
    return ManifestSchema.parse(JSON.parse(await readFile(join(indexDir, FILES.manifest), 'utf8')));
  } catch {
    return null;
  }
}

/** The first file the index needs that is missing from `indexDir`, or null when it is complete. */
export function missingIndexFile(indexDir: string, manifest: Manifest): string | null {
  const needed = [FILES.papers, FILES.lexical, FILES.calibration, ...(manifest.embedder ? VECTORS_FILES : [])];
  return needed.find((f) => !existsSync(join(indexDir, f))) ?? null;
}

/** The files whose sha256 the manifest records, by their path inside the index folder. */
export const HASHED_FILES = [FILES.papers, FILES.lexical, FILES.calibration] as const;
/** The vector store's files that a server reads (the packed copy; the vectra shards are for other tools). */
export const VECTORS_FILES = VectorStore.FILES.map((f) => join(FILES.vectors, f));

/** An index whose files parse but disagree with its manifest or with each other. */
export class IndexIntegrityError extends Error {
  override name = 'IndexIntegrityError';
}

/**
 * Loads every part of a built index and checks it against its manifest: each file's sha256, the
 * number of papers, and (with vectors) one vector per paper of the recorded dimension. Throws when
 * a part is missing, corrupt or inconsistent: the caller rebuilds rather than serve a broken index.
 */
export async function loadIndex(indexDir: string): Promise<LoadedIndex> {
  const manifest = await readManifest(indexDir);
  if (!manifest) throw new Error(`no usable index in ${indexDir}; run npm run ingest`);
  const data: Record<string, Buffer> = {};
  const checkHash = (f: string, digest: string | undefined) => {
    if (manifest.files[f] !== digest) throw new IndexIntegrityError(`${join(indexDir, f)} does not match its manifest (changed after it was built)`);
  };
  for (const f of HASHED_FILES) {
    data[f] = await readFile(join(indexDir, f));
    checkHash(f, sha256(data[f]!));
  }
  // Ingestion validated every paper before writing this file, and its hash is the one recorded
  // then: parsing is enough (validating 100k papers again would cost seconds at every start).
  const papers = JSON.parse(data[FILES.papers]!.toString('utf8')) as Paper[];
  if (!Array.isArray(papers) || papers.length !== manifest.papers || !papers.length) throw new IndexIntegrityError(`${indexDir} holds ${Array.isArray(papers) ? papers.length : 'no'} papers, its manifest ${manifest.papers}`);
  let lexical: LexicalIndex;
  try {
    lexical = LexicalIndex.fromBinary(data[FILES.lexical]!);
  } catch (e) {
    throw new IndexIntegrityError(`${join(indexDir, FILES.lexical)}: ${(e as Error).message}`);
  }
  if (lexical.size !== papers.length || lexical.ids.some((id, i) => id !== papers[i]!.id)) {
    throw new IndexIntegrityError(`the BM25 index in ${indexDir} has ${lexical.size} papers that do not match papers.json (${papers.length})`);
  }
  const calibration = CalibrationSchema.parse(JSON.parse(data[FILES.calibration]!.toString('utf8')));
  const vectors = manifest.embedder ? await VectorStore.open(join(indexDir, FILES.vectors)) : null;
  // The store hashes its files as it reads them (154 MB at 100k papers: read once, not twice).
  for (const f of VectorStore.FILES) if (vectors) checkHash(join(FILES.vectors, f), vectors.fileHashes[f]);
  if (vectors && manifest.embedder) {
    const { items, dim } = await vectors.stats();
    if (items !== papers.length || dim !== manifest.embedder.dim) {
      throw new IndexIntegrityError(`the vectors in ${indexDir} are ${items} of dimension ${dim}; the manifest says ${papers.length} of ${manifest.embedder.dim}`);
    }
  }
  return { manifest, papers, lexical, calibration, vectors };
}

/**
 * Moves a freshly built folder into place. The old index is renamed aside first and deleted
 * last, so at every instant one complete index exists on disk (recoverInterruptedSwap).
 */
export async function swapInto(builtDir: string, indexDir: string): Promise<void> {
  const previous = backupDir(indexDir);
  assertOwnFolder(indexDir, 'INDEX_DIR');
  assertOwnFolder(previous, 'The backup folder');
  await rm(previous, { recursive: true, force: true });
  if (existsSync(indexDir)) await rename(indexDir, previous);
  await rename(builtDir, indexDir);
  await rm(previous, { recursive: true, force: true });
}
