/**
 * The lexical index's file (`lexical.bin`): magic bytes, the length of a JSON header, the header
 * (ids, terms, options), then the typed arrays, each 8-byte aligned so they are read in place.
 */
import type { LexicalIndexOptions } from './bm25.js';

/** What the file's header holds (the arrays follow it). */
export interface LexicalHeader {
  format: 1;
  /** Paper ids, by internal document number. */
  ids: string[];
  /** Index terms, sorted (so a term's number is its rank, and a prefix is a contiguous range). */
  terms: string[];
  postings: number;
  options: Required<LexicalIndexOptions>;
}

/** The header and the arrays: what `LexicalIndex` is made of. */
export interface LexicalParts {
  header: LexicalHeader;
  /** `offsets[t]..offsets[t+1]` is term t's range in `docs` and `impacts`. */
  offsets: Uint32Array;
  /** Each term's papers, ascending. */
  docs: Uint32Array;
  /** Each posting's precomputed BM25+ impact. */
  impacts: Float32Array;
  /** Each document's rank in id order, for deterministic ties. */
  idRank: Uint32Array;
}

const MAGIC = 'PCBM25\n';
const HEAD_START = MAGIC.length + 4;
const align8 = (x: number) => (x + 7) & ~7;

/** The index as one binary file. */
export function encodeLexical({ header, offsets, docs, impacts, idRank }: LexicalParts): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const arraysStart = align8(HEAD_START + head.length);
  const arrays = [offsets, docs, impacts, idRank];
  const out = new Uint8Array(arraysStart + arrays.reduce((s, a) => s + a.byteLength, 0));
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, head.length, true);
  out.set(head, HEAD_START);
  let at = arraysStart;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

/** Reads what `encodeLexical` wrote; throws on anything else (wrong file, truncated, other format). */
export function decodeLexical(data: Uint8Array | ArrayBuffer): LexicalParts {
  let bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteOffset % 8) bytes = bytes.slice(); // typed-array views need aligned offsets
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new Error('not a paper-chat BM25 index (wrong magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(MAGIC.length, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(HEAD_START, HEAD_START + headLength))) as LexicalHeader;
  if (header.format !== 1) throw new Error(`BM25 index format ${header.format} is not readable by this version`);
  let at = bytes.byteOffset + align8(HEAD_START + headLength);
  const take = <T>(make: new (b: ArrayBufferLike, o: number, l: number) => T, length: number, width: number): T => {
    if (at + length * width > bytes.byteOffset + bytes.byteLength) throw new Error('the BM25 index file is truncated');
    const a = new make(bytes.buffer, at, length);
    at += length * width;
    return a;
  };
  const offsets = take(Uint32Array, header.terms.length + 1, 4);
  const docs = take(Uint32Array, header.postings, 4);
  const impacts = take(Float32Array, header.postings, 4);
  const idRank = take(Uint32Array, header.ids.length, 4);
  if (offsets[header.terms.length] !== header.postings) throw new Error('the BM25 index file is inconsistent (postings do not add up)');
  return { header, offsets, docs, impacts, idRank };
}
