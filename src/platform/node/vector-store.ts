import { endianness } from 'node:os';
import { mkdir, open as openFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSimdScanner, SIMD_SCORE_SLACK, type DotScanner } from '../../retrieval/simd-scan.js';
import { dotAt, rescoreTopK, topKByDot } from '../../retrieval/top-k.js';
import { compareIds } from '../../util/compare.js';
import { sha256HexSync as sha256 } from './hash.js';

/**
 * Items per vectra shard. vectra's insertItem scans the whole shard for a duplicate id, so a build
 * costs n × SHARD_SIZE / 2 id comparisons: linear in n for a fixed shard size. 5,000 vectors of
 * dimension 384 make an index.json of about 40 MB, far from V8's 512 MB string limit (one vectra
 * index fails to save past ~66k such vectors). Measured building 20k × 384 in shards of 1,000, 2,000,
 * 5,000, 10,000, 20,000: 1.7, 1.6, 1.7, 2.2, 2.8 s; saving the JSON (~55 µs a vector) dominates up
 * to 5,000, the duplicate scan above it.
 */
export const SHARD_SIZE = 5_000;
/** Version of the folder layout, recorded in layout.json; open() refuses any other. */
export const VECTOR_STORE_FORMAT = 1;
/** The packed copy open() reads: count × dim little-endian float32, in insertion order. */
const VECTORS_FILE = 'vectors.f32';
/** The ids, a JSON array of strings in the same order. */
const IDS_FILE = 'ids.json';
/** `{ format, count, dim, shardSize, shards }`, written last: a folder without it is no store. */
const LAYOUT_FILE = 'layout.json';
/** A vector whose norm is this close to 1 is stored as given (float32-rounded); others are scaled to unit length. */
const UNIT_TOLERANCE = 1e-5;
const LITTLE_ENDIAN = endianness() === 'LE';

export interface VectorHit {
  id: string;
  /** Cosine similarity. */
  score: number;
}

/** What layout.json records. `shards` are folder names, each a vectra LocalIndex, in order. */
interface Layout {
  format: number;
  count: number;
  dim: number;
  shardSize: number;
  shards: string[];
}

export interface BuildOptions {
  /** Called after each shard is saved: its number, its item count and the milliseconds it took. */
  onShard?: (info: { shard: number; items: number; ms: number }) => void;
}

const shardName = (i: number) => `shard-${String(i).padStart(4, '0')}`;

/** Reverses the bytes of each float32 in place (the packed file is little-endian; this host is not). */
function swap32(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

/**
 * Paper embeddings on disk and in memory, for exact cosine search.
 *
 * The folder stays a set of vectra indexes anyone can open with vectra's `LocalIndex`: shards
 * `shard-0000/`, `shard-0001/` … of at most SHARD_SIZE items each (metadata `{ id }`, in the order
 * given), each built in one beginUpdate/insertItem/endUpdate batch. One vectra index cannot hold
 * 100k vectors (its index.json outgrows V8's string limit, inserts are quadratic, its query sorts
 * every score). Beside the shards, build() writes a packed copy that open() reads alone: vectors.f32
 * (count × dim little-endian float32), ids.json and layout.json. Queries scan that Float32Array:
 * with WebAssembly SIMD (simd-scan.ts) for candidates re-scored exactly, else in JavaScript.
 *
 * Vectors are stored at unit length (those not already unit are scaled), so the dot product is the cosine.
 */
export class VectorStore {
  /** The files open() reads, relative to the folder (for a manifest to hash). */
  static readonly FILES = [LAYOUT_FILE, IDS_FILE, VECTORS_FILE] as const;

  /** sha256 of each of `FILES` as open() read them (empty for a store just built): nothing is read twice to check them. */
  fileHashes: Readonly<Record<string, string>> = {};

  private constructor(
    private readonly ids: readonly string[],
    private readonly matrix: Float32Array,
    private readonly dim: number,
    /** The SIMD kernel that owns `matrix`'s memory, when WebAssembly SIMD is available. */
    private readonly scanner: DotScanner | null,
  ) {}

  /** Room for n × dim vectors: inside the SIMD kernel's memory when there is one. */
  private static allocate(n: number, dim: number): { matrix: Float32Array; scanner: DotScanner | null } {
    const scanner = createSimdScanner(n, dim);
    return { matrix: scanner?.matrix ?? new Float32Array(n * dim), scanner };
  }

  /**
   * Writes `items` to `folder` (replacing a store already there) and returns the store. Every vector
   * must have the same dimension, be finite and non-zero; ids must be distinct.
   */
  static async build(
    folder: string,
    items: readonly { id: string; vector: number[] | Float32Array }[],
    options: BuildOptions = {},
  ): Promise<VectorStore> {
    const count = items.length;
    const dim = count ? items[0]!.vector.length : 0;
    if (count && !dim) throw new Error(`vector of ${items[0]!.id} is empty`);
    const { matrix, scanner } = VectorStore.allocate(count, dim);
    const ids: string[] = new Array<string>(count);
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const { id, vector } = items[i]!;
      if (typeof id !== 'string') throw new Error(`item ${i} has no string id`);
      if (seen.has(id)) throw new Error(`duplicate id ${id}`);
      seen.add(id);
      if (vector.length !== dim) throw new Error(`vector of ${id} has dimension ${vector.length}; the first has ${dim}`);
      let sq = 0;
      for (let j = 0; j < dim; j++) sq += vector[j]! * vector[j]!;
      const norm = Math.sqrt(sq);
      if (!Number.isFinite(norm) || norm === 0) throw new Error(`vector of ${id} is ${norm === 0 ? 'zero' : 'not finite'}`);
      const scale = Math.abs(norm - 1) <= UNIT_TOLERANCE ? 1 : 1 / norm;
      const o = i * dim;
      for (let j = 0; j < dim; j++) matrix[o + j] = vector[j]! * scale;
      ids[i] = id;
    }

    await prepareFolder(folder);
    // Loaded here only: a server that opens a store reads the packed copy and never needs vectra.
    const { LocalIndex } = await import('vectra');
    const shards: string[] = [];
    for (let start = 0; start < count; start += SHARD_SIZE) {
      const started = performance.now();
      const name = shardName(shards.length);
      const end = Math.min(start + SHARD_SIZE, count);
      const index = new LocalIndex<{ id: string }>(join(folder, name));
      await index.createIndex({ version: 1 });
      await index.beginUpdate();
      for (let i = start; i < end; i++) {
        // A plain array of the float32 values: JSON.stringify of a Float32Array is an object.
        const vector = Array.from(matrix.subarray(i * dim, (i + 1) * dim));
        await index.insertItem({ id: ids[i]!, vector, metadata: { id: ids[i]! } });
      }
      await index.endUpdate();
      shards.push(name);
      options.onShard?.({ shard: shards.length - 1, items: end - start, ms: performance.now() - started });
    }

    const bytes = new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);
    if (LITTLE_ENDIAN) await writeFile(join(folder, VECTORS_FILE), bytes);
    else {
      const copy = bytes.slice();
      swap32(copy);
      await writeFile(join(folder, VECTORS_FILE), copy);
    }
    await writeFile(join(folder, IDS_FILE), JSON.stringify(ids));
    const layout: Layout = { format: VECTOR_STORE_FORMAT, count, dim, shardSize: SHARD_SIZE, shards };
    await writeFile(join(folder, LAYOUT_FILE), JSON.stringify(layout));
    return new VectorStore(ids, matrix, dim, scanner);
  }

  /** Loads the store in `folder` from its packed copy (never the shards' JSON); throws when its files disagree. */
  static async open(folder: string): Promise<VectorStore> {
    const digests: Record<string, string> = {};
    const layoutPath = join(folder, LAYOUT_FILE);
    let layoutText: string;
    try {
      layoutText = await readFile(layoutPath, 'utf8');
      digests[LAYOUT_FILE] = sha256(layoutText);
    } catch {
      const legacy = await readFile(join(folder, 'index.json')).then(
        () => true,
        () => false,
      );
      throw new Error(
        legacy ? `${folder} holds a single vectra index (an older format, no ${LAYOUT_FILE}); rebuild it` : `no vector store in ${folder} (${layoutPath} is missing)`,
      );
    }
    const layout = parseLayout(layoutText, layoutPath);

    const idsPath = join(folder, IDS_FILE);
    let ids: unknown;
    try {
      const idsText = await readFile(idsPath, 'utf8');
      digests[IDS_FILE] = sha256(idsText);
      ids = JSON.parse(idsText);
    } catch (e) {
      throw new Error(`${idsPath} is unreadable: ${(e as Error).message}`);
    }
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw new Error(`${idsPath} is not an array of strings`);
    if (ids.length !== layout.count) throw new Error(`${idsPath} holds ${ids.length} ids; ${LAYOUT_FILE} says ${layout.count}`);

    const vectorsPath = join(folder, VECTORS_FILE);
    const expected = layout.count * layout.dim * 4;
    const { matrix, scanner } = VectorStore.allocate(layout.count, layout.dim);
    const bytes = new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);
    const file = await openFile(vectorsPath, 'r').catch(() => {
      throw new Error(`${vectorsPath} is missing`);
    });
    try {
      const actual = (await file.stat()).size;
      if (actual !== expected) {
        throw new Error(`${vectorsPath} holds ${actual} bytes; ${LAYOUT_FILE} says ${layout.count} vectors of dimension ${layout.dim} (${expected} bytes)`);
      }
      for (let at = 0; at < expected; ) {
        const { bytesRead } = await file.read(bytes, at, expected - at, at);
        if (bytesRead === 0) throw new Error(`${vectorsPath} ended after ${at} bytes; expected ${expected}`);
        at += bytesRead;
      }
    } finally {
      await file.close();
    }
    digests[VECTORS_FILE] = sha256(bytes);
    if (!LITTLE_ENDIAN) swap32(bytes);
    const store = new VectorStore(ids as string[], matrix, layout.dim, scanner);
    store.fileHashes = digests;
    return store;
  }

  /** Orders rows by id ascending (ids are distinct), for equal scores. */
  private readonly byId = (a: number, b: number) => compareIds(this.ids[a]!, this.ids[b]!);

  async size(): Promise<number> {
    return this.ids.length;
  }

  /** Each stored vector with its id, in insertion order (views of the store's memory: copy to keep). */
  *entries(): Generator<{ id: string; vector: Float32Array }> {
    for (let i = 0; i < this.ids.length; i++) yield { id: this.ids[i]!, vector: this.matrix.subarray(i * this.dim, (i + 1) * this.dim) };
  }

  /** How many vectors, and their dimension (0 when empty). */
  async stats(): Promise<{ items: number; dim: number }> {
    return { items: this.ids.length, dim: this.ids.length ? this.dim : 0 };
  }

  /**
   * The `k` stored vectors most similar to `vector` by cosine, best first, ties by id ascending.
   * Exact: a scan of every vector. The query is normalized here; a zero query scores 0 everywhere.
   */
  async query(vector: number[] | Float32Array, k: number): Promise<VectorHit[]> {
    if (!this.ids.length || !(k >= 1)) return [];
    if (vector.length !== this.dim) throw new Error(`query has dimension ${vector.length}; the store holds ${this.dim}`);
    let sq = 0;
    for (let j = 0; j < vector.length; j++) sq += vector[j]! * vector[j]!;
    const norm = Math.sqrt(sq);
    if (!Number.isFinite(norm)) throw new Error('query vector is not finite');
    const q = new Float32Array(this.dim);
    for (let j = 0; j < this.dim; j++) q[j] = norm > 0 ? vector[j]! / norm : 0;
    // With SIMD: float32 scores of every row at once, then the candidates re-scored exactly.
    const hits = this.scanner
      ? rescoreTopK(this.scanner.scores(q), k, SIMD_SCORE_SLACK, (row) => dotAt(this.matrix, row * this.dim, q, this.dim), this.byId)
      : topKByDot(this.matrix, this.dim, q, k, this.byId);
    return hits.map((h) => ({ id: this.ids[h.index]!, score: h.score }));
  }
}

/** Checks layout.json's fields and that its shard list fits its count. */
function parseLayout(text: string, path: string): Layout {
  let raw: Partial<Layout>;
  try {
    raw = JSON.parse(text) as Partial<Layout>;
  } catch (e) {
    throw new Error(`${path} is not JSON: ${(e as Error).message}`);
  }
  const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (raw?.format !== VECTOR_STORE_FORMAT) throw new Error(`${path} has format ${String(raw?.format)}; this version reads ${VECTOR_STORE_FORMAT}`);
  if (!int(raw.count) || !int(raw.dim) || !int(raw.shardSize) || !Array.isArray(raw.shards)) {
    throw new Error(`${path} lacks a count, dim, shardSize or shards list`);
  }
  const layout = raw as Layout;
  if (layout.count > 0 && (layout.dim === 0 || layout.shardSize === 0)) throw new Error(`${path} records ${layout.count} vectors of dimension ${layout.dim} in shards of ${layout.shardSize}`);
  const shards = layout.count ? Math.ceil(layout.count / layout.shardSize) : 0;
  if (layout.shards.length !== shards) throw new Error(`${path} lists ${layout.shards.length} shards; ${layout.count} vectors in shards of ${layout.shardSize} make ${shards}`);
  return layout;
}

/** Empties `folder` for a new build; refuses a non-empty folder that is not a vector store. */
async function prepareFolder(folder: string): Promise<void> {
  const entries = await readdir(folder).catch(() => null);
  if (entries?.length) {
    if (!entries.includes(LAYOUT_FILE) && !entries.includes('index.json')) throw new Error(`${folder} is not empty and holds no vector store; refusing to replace it`);
    await rm(folder, { recursive: true, force: true });
  }
  await mkdir(folder, { recursive: true });
}
