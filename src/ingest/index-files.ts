import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PaperSchema, type Paper } from '../corpus/schema.js';
import { CalibrationSchema, type Calibration } from '../support/calibrate.js';
import { LexicalIndex } from '../retrieval/lexical.js';
import { VectorStore } from '../retrieval/vector-store.js';
import { ManifestSchema, type Manifest } from './manifest.js';

/** File names inside an index folder. */
export const FILES = {
  manifest: 'manifest.json',
  papers: 'papers.json',
  lexical: 'lexical.json',
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
  const needed = [FILES.papers, FILES.lexical, FILES.calibration, ...(manifest.embedder ? [join(FILES.vectors, 'index.json')] : [])];
  return needed.find((f) => !existsSync(join(indexDir, f))) ?? null;
}

/** Loads every part of a built index. Throws when a part is missing or corrupt. */
export async function loadIndex(indexDir: string): Promise<LoadedIndex> {
  const manifest = await readManifest(indexDir);
  if (!manifest) throw new Error(`no usable index in ${indexDir}; run npm run ingest`);
  const papers = z.array(PaperSchema).parse(JSON.parse(await readFile(join(indexDir, FILES.papers), 'utf8')));
  const lexical = LexicalIndex.fromJSON(await readFile(join(indexDir, FILES.lexical), 'utf8'));
  const calibration = CalibrationSchema.parse(JSON.parse(await readFile(join(indexDir, FILES.calibration), 'utf8')));
  const vectors = manifest.embedder ? await VectorStore.open(join(indexDir, FILES.vectors)) : null;
  return { manifest, papers, lexical, calibration, vectors };
}

/**
 * Moves a freshly built folder into place. The old index is renamed aside first and deleted
 * last, so at every instant one complete index exists on disk (recoverInterruptedSwap).
 */
export async function swapInto(builtDir: string, indexDir: string): Promise<void> {
  const previous = backupDir(indexDir);
  await rm(previous, { recursive: true, force: true });
  if (existsSync(indexDir)) await rename(indexDir, previous);
  await rename(builtDir, indexDir);
  await rm(previous, { recursive: true, force: true });
}
