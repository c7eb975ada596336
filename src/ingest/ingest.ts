import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Corpus } from '../corpus/load.js';
import type { EmbedderStatus } from '../retrieval/embedder.js';
import { calibrate } from '../support/calibrate.js';
import { HybridRetriever } from '../retrieval/retriever.js';
import { lexicalFingerprint } from '../retrieval/lexical/analyzer.js';
import { LexicalIndex } from '../retrieval/lexical/lexical-index.js';
import { TermStats } from '../retrieval/term-stats.js';
import { sha256HexSync as sha256 } from '../platform/node/hash.js';
import { VectorStore } from '../platform/node/vector-store.js';
import {
  assertOwnFolder,
  buildPrefix,
  claimBuildFolder,
  FILES,
  missingIndexFile,
  readManifest,
  releaseBuildFolder,
  sweepStaleBuilds,
  swapInto,
  VECTORS_FILES,
} from '../platform/node/index-files.js';
import { withIngestLock, type IngestLockOptions } from './lock.js';
import { MANIFEST_FORMAT, staleReason, type Manifest } from './manifest.js';

export interface IngestOptions {
  corpus: Corpus;
  corpusPath: string;
  indexDir: string;
  embedding: EmbedderStatus;
  /** Rebuild even when the index is current. */
  force?: boolean;
  /** Called with (done, total) while embedding. */
  onProgress?: (done: number, total: number) => void;
  /** Test hook: runs after the new index is written, before it is swapped in. */
  beforeSwap?: (builtDir: string) => Promise<void>;
  /** Told when another ingest of this folder is running: this one waits for it (see lock.ts). */
  onWait?: IngestLockOptions['onWait'];
}

export interface IngestResult {
  manifest: Manifest;
  rebuilt: boolean;
  /** Why it was rebuilt, or why not. */
  reason: string;
}

/**
 * The index in `indexDir` when it was built from exactly these corpus bytes, with this embedder and
 * text analyzer, and has all its files; else null. Costs one read and hash of the corpus file
 * (about 0.3 s for 100 MB), not a parse: start-up calls it before deciding to load the corpus.
 */
export async function currentIndex(indexDir: string, corpusPath: string, embedderId: string | null): Promise<Manifest | null> {
  const manifest = await readManifest(indexDir);
  if (!manifest?.corpusFileHash || missingIndexFile(indexDir, manifest)) return null;
  const bytes = await readFile(corpusPath).catch(() => null);
  if (!bytes || sha256(bytes) !== manifest.corpusFileHash) return null;
  return staleReason(manifest, { corpusHash: manifest.corpusHash, embedderId, lexical: lexicalFingerprint() }) ? null : manifest;
}

/**
 * Makes `indexDir` hold an index of `corpus` built by the current embedder: a vectra LocalIndex
 * of embeddings (when an embedder is available), a serialized BM25 index, the
 * abstention calibration, the papers and a manifest. Does nothing when the manifest already matches. Builds in a temporary sibling folder
 * and swaps it in, so an interrupted run leaves the previous index usable.
 */
export async function ingest(options: IngestOptions): Promise<IngestResult> {
  // An index that is current needs no lock to be seen so; a build holds the folder's lock, and
  // looks again once it has it (the ingest it waited for may have built just this).
  if (!options.force) {
    const current = await upToDate(options);
    if (current) return current;
  }
  return withIngestLock(options.indexDir, () => build(options), options.onWait ? { onWait: options.onWait } : {});
}

/** The result for an index that needs no rebuild, or null. */
async function upToDate(options: IngestOptions): Promise<IngestResult | null> {
  const existing = await readManifest(options.indexDir);
  return existing && !staleness(options, existing) ? { manifest: existing, rebuilt: false, reason: 'index is up to date' } : null;
}

/** Why the index in the folder must be rebuilt for `options`, or null. */
function staleness(options: IngestOptions, existing: Manifest | null): string | null {
  const missing = existing && missingIndexFile(options.indexDir, existing);
  return (
    staleReason(existing, { corpusHash: options.corpus.hash, embedderId: options.embedding.embedder?.id ?? null, lexical: lexicalFingerprint() }) ??
    (missing ? `the index is damaged (${missing} is missing)` : null)
  );
}

async function build(options: IngestOptions): Promise<IngestResult> {
  const { corpus, indexDir, embedding } = options;
  const embedder = embedding.embedder;
  const existing = await readManifest(indexDir);
  const stale = staleness(options, existing);
  if (existing && !stale && !options.force) return { manifest: existing, rebuilt: false, reason: 'index is up to date' };

  // Refuse before any work: the swap would replace this folder.
  assertOwnFolder(indexDir, 'INDEX_DIR');
  const started = Date.now();
  await mkdir(dirname(indexDir), { recursive: true });
  await sweepStaleBuilds(indexDir);
  const tmp = await mkdtemp(join(dirname(indexDir), buildPrefix(indexDir)));
  await claimBuildFolder(tmp);
  try {
    const papers = corpus.papers;
    let dim = 0;
    let store: VectorStore | null = null;
    if (embedder) {
      const items: { id: string; vector: number[] }[] = [];
      const batch = 32;
      options.onProgress?.(0, papers.length);
      for (let i = 0; i < papers.length; i += batch) {
        const slice = papers.slice(i, i + batch);
        const vectors = await embedder.embedDocuments(slice.map((p) => `${p.title}. ${p.abstract}`));
        slice.forEach((p, j) => items.push({ id: p.id, vector: vectors[j]! }));
        options.onProgress?.(Math.min(i + batch, papers.length), papers.length);
      }
      dim = items[0]?.vector.length ?? embedder.dim;
      store = await VectorStore.build(join(tmp, FILES.vectors), items);
    }
    const lexical = LexicalIndex.build(papers);
    const files: Record<string, string> = {};
    const write = async (name: string, data: string | Uint8Array) => {
      files[name] = sha256(data);
      await writeFile(join(tmp, name), data);
    };
    await write(FILES.lexical, lexical.toBinary());
    // Calibrated through the retriever the server will use, on the index just built.
    const retriever = new HybridRetriever({ papers, lexical, dense: embedder && store ? { embedder, store } : null });
    const calibration = await calibrate(retriever, new TermStats(lexical));
    await write(FILES.calibration, JSON.stringify(calibration));
    await write(FILES.papers, JSON.stringify(papers));
    if (store) for (const f of VECTORS_FILES) files[f] = sha256(await readFile(join(tmp, f)));
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      corpusPath: options.corpusPath,
      corpusHash: corpus.hash,
      ...(corpus.fileHash ? { corpusFileHash: corpus.fileHash } : {}),
      papers: papers.length,
      lexical: lexicalFingerprint(),
      embedder: embedder ? { id: embedder.id, dim } : null,
      ...(embedding.error ? { denseUnavailable: embedding.error } : {}),
      files,
      builtAt: new Date().toISOString(),
      buildMs: Date.now() - started,
    };
    // The manifest is written last: a folder without one is never taken for an index.
    await writeFile(join(tmp, FILES.manifest), JSON.stringify(manifest, null, 2));
    await options.beforeSwap?.(tmp);
    await releaseBuildFolder(tmp);
    await swapInto(tmp, indexDir);
    return { manifest, rebuilt: true, reason: options.force ? 'forced' : stale! };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
