/**
 * VectorStore on real files: exact top-k against a brute force in plain numbers, the vectra shards
 * as vectra itself reads them, the packed copy's checks on open, ties and unnormalized queries.
 * test/stress/vector-store.test.ts builds 70,000 vectors of dimension 384 (linear build, open and query timings).
 */
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalIndex } from 'vectra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARD_SIZE, VectorStore, type VectorHit } from '../../../src/platform/node/vector-store.js';
import { mulberry32 } from '../../../src/util/prng.js';
import { bruteForce, unitVector } from '../../helpers/vectors.js';

function expectSameHits(actual: VectorHit[], expected: VectorHit[]): void {
  expect(actual.map((h) => h.id)).toEqual(expected.map((h) => h.id));
  actual.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 12));
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vector-store-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('VectorStore: several shards of random unit vectors', () => {
  const DIM = 24;
  const N = 2 * SHARD_SIZE + 7;
  const rand = mulberry32(7);
  // Ids out of order, so insertion order and id order differ.
  const items = Array.from({ length: N }, (_, i) => ({ id: `paper-${String((i * 7919) % N).padStart(5, '0')}`, vector: unitVector(DIM, rand) }));
  const queries = Array.from({ length: 8 }, () => unitVector(DIM, rand));
  let folder: string;
  let built: VectorStore;
  let opened: VectorStore;

  beforeAll(async () => {
    folder = join(tmp, 'many');
    built = await VectorStore.build(folder, items);
    opened = await VectorStore.open(folder);
  });

  it('returns the brute-force top k after build and after open, for k below, at and above n', async () => {
    for (const [qi, q] of queries.entries()) {
      for (const k of [1, 5, 50, N, N + 10]) {
        if (qi > 1 && k >= N) continue; // the full ranking twice is enough
        const expected = bruteForce(items, q, k);
        expect(expected).toHaveLength(Math.min(k, N));
        expectSameHits(await opened.query(q, k), expected);
        expectSameHits(await built.query(q, k), expected);
      }
    }
  });

  it('reports its size and dimension', async () => {
    expect(await opened.size()).toBe(N);
    expect(await opened.stats()).toEqual({ items: N, dim: DIM });
    expect(await built.stats()).toEqual({ items: N, dim: DIM });
  });

  it('writes shards vectra opens itself, holding every item once, in order, with its float32 vector', async () => {
    const layout = JSON.parse(await readFile(join(folder, 'layout.json'), 'utf8')) as { shards: string[]; count: number; dim: number; shardSize: number };
    expect(layout).toMatchObject({ count: N, dim: DIM, shardSize: SHARD_SIZE });
    expect(layout.shards).toHaveLength(Math.ceil(N / SHARD_SIZE));
    expect(layout.shards).toEqual(['shard-0000', 'shard-0001', 'shard-0002']);
    const all: { id: string; metadata: { id: string }; vector: number[] }[] = [];
    for (const shard of layout.shards) {
      const index = new LocalIndex<{ id: string }>(join(folder, shard));
      expect(await index.isIndexCreated()).toBe(true);
      const shardItems = await index.listItems();
      expect(shardItems.length).toBeLessThanOrEqual(SHARD_SIZE);
      all.push(...shardItems);
    }
    expect(all).toHaveLength(N);
    all.forEach((item, i) => {
      expect(item.id).toBe(items[i]!.id);
      expect(item.metadata).toEqual({ id: items[i]!.id });
      expect(item.vector).toEqual(items[i]!.vector.map(Math.fround));
    });
  });

  it('gives through vectra’s own query the same best item', async () => {
    const layout = JSON.parse(await readFile(join(folder, 'layout.json'), 'utf8')) as { shards: string[] };
    const q = queries[0]!;
    const best: VectorHit[] = [];
    for (const shard of layout.shards) {
      const [top] = await new LocalIndex<{ id: string }>(join(folder, shard)).queryItems(q, '', 1);
      best.push({ id: top!.item.metadata.id, score: top!.score });
    }
    best.sort((a, b) => b.score - a.score);
    const [ours] = await opened.query(q, 1);
    expect(ours!.id).toBe(best[0]!.id);
    expect(ours!.score).toBeCloseTo(best[0]!.score, 5);
  });

  it('opens from the packed files alone (FILES), never the shards', async () => {
    const copy = join(tmp, 'packed-only');
    await mkdir(copy);
    for (const f of VectorStore.FILES) await writeFile(join(copy, f), await readFile(join(folder, f)));
    const store = await VectorStore.open(copy);
    expectSameHits(await store.query(queries[3]!, 20), bruteForce(items, queries[3]!, 20));
  });

  it('refuses a query of another dimension', async () => {
    await expect(opened.query([1, 0, 0], 3)).rejects.toThrow(/dimension 3.*24/);
  });
});

describe('VectorStore: open() checks the packed files', () => {
  const rand = mulberry32(11);
  const items = Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, vector: unitVector(4, rand) }));

  async function fresh(name: string): Promise<string> {
    const folder = join(tmp, name);
    await VectorStore.build(folder, items);
    return folder;
  }

  it('refuses a truncated vectors.f32, naming it', async () => {
    const folder = await fresh('truncated');
    await truncate(join(folder, 'vectors.f32'), 10 * 4 * 4 - 4);
    await expect(VectorStore.open(folder)).rejects.toThrow(/vectors\.f32 holds 156 bytes.*10 vectors of dimension 4 \(160 bytes\)/);
  });

  it('refuses an ids.json of the wrong length, naming it', async () => {
    const folder = await fresh('short-ids');
    await writeFile(join(folder, 'ids.json'), JSON.stringify(items.slice(1).map((i) => i.id)));
    await expect(VectorStore.open(folder)).rejects.toThrow(/ids\.json holds 9 ids; layout\.json says 10/);
  });

  it('refuses a folder without layout.json, and says when it is an old single vectra index', async () => {
    await expect(VectorStore.open(join(tmp, 'nowhere'))).rejects.toThrow(/no vector store.*layout\.json is missing/);
    const old = join(tmp, 'old-format');
    const index = new LocalIndex(old);
    await index.createIndex({ version: 1 });
    await expect(VectorStore.open(old)).rejects.toThrow(/older format/);
  });

  it('refuses to build over a folder that holds something else', async () => {
    const folder = join(tmp, 'foreign');
    await mkdir(folder);
    await writeFile(join(folder, 'notes.txt'), 'mine');
    await expect(VectorStore.build(folder, items)).rejects.toThrow(/not empty/);
  });

  it('rebuilds over an existing store, replacing it', async () => {
    const folder = await fresh('rebuilt');
    await VectorStore.build(folder, items.slice(0, 3));
    expect(await (await VectorStore.open(folder)).stats()).toEqual({ items: 3, dim: 4 });
  });

  it('refuses vectors of mixed dimension, zero vectors and duplicate ids', async () => {
    await expect(VectorStore.build(join(tmp, 'bad1'), [...items, { id: 'x', vector: [1, 0] }])).rejects.toThrow(/dimension 2/);
    await expect(VectorStore.build(join(tmp, 'bad2'), [...items, { id: 'x', vector: [0, 0, 0, 0] }])).rejects.toThrow(/zero/);
    await expect(VectorStore.build(join(tmp, 'bad3'), [...items, { id: 'p3', vector: [1, 0, 0, 0] }])).rejects.toThrow(/duplicate id p3/);
  });
});

describe('VectorStore: scores and ties', () => {
  it('breaks ties by id, also at the cut-off of k', async () => {
    const same = [0.6, 0.8, 0, 0];
    const store = await VectorStore.build(join(tmp, 'ties'), [
      { id: 'c', vector: same },
      { id: 'z', vector: [0, 0, 1, 0] },
      { id: 'a', vector: same },
      { id: 'b', vector: same },
    ]);
    expect((await store.query(same, 4)).map((h) => h.id)).toEqual(['a', 'b', 'c', 'z']);
    expect((await store.query(same, 2)).map((h) => h.id)).toEqual(['a', 'b']);
    const reopened = await VectorStore.open(join(tmp, 'ties'));
    expect((await reopened.query(same, 1)).map((h) => h.id)).toEqual(['a']);
  });

  it('scores the cosine whatever the length of the query or of a stored vector', async () => {
    const rand = mulberry32(3);
    const items = Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, vector: unitVector(8, rand) }));
    const stretched = items.map((item, i) => ({ id: item.id, vector: item.vector.map((x) => x * (1 + i)) }));
    const store = await VectorStore.build(join(tmp, 'lengths'), stretched);
    const q = unitVector(8, rand);
    const hits = await store.query(q.map((x) => x * 7.3), 10);
    const cosine = (a: number[], b: number[]) => a.reduce((s, x, j) => s + x * b[j]!, 0) / Math.hypot(...a) / Math.hypot(...b);
    const exact = items.map((i) => ({ id: i.id, score: cosine(i.vector, q) })).sort((a, b) => b.score - a.score).slice(0, 10);
    expect(hits.map((h) => h.id)).toEqual(exact.map((h) => h.id));
    hits.forEach((h, i) => expect(h.score).toBeCloseTo(exact[i]!.score, 6));
    // A stored vector three times unit length still scores 1 against itself.
    expect((await store.query(stretched[2]!.vector, 1))[0]).toMatchObject({ id: 'p2' });
    expect((await store.query(stretched[2]!.vector, 1))[0]!.score).toBeCloseTo(1, 6);
  });

  it('accepts Float32Array vectors', async () => {
    const rand = mulberry32(5);
    const items = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, vector: unitVector(6, rand) }));
    const store = await VectorStore.build(
      join(tmp, 'f32'),
      items.map((i) => ({ id: i.id, vector: Float32Array.from(i.vector) })),
    );
    expectSameHits(await store.query(Float32Array.from(items[4]!.vector), 5), bruteForce(items, items[4]!.vector, 5));
  });

  it('holds nothing when built from nothing', async () => {
    const folder = join(tmp, 'empty');
    await VectorStore.build(folder, []);
    const store = await VectorStore.open(folder);
    expect(await store.size()).toBe(0);
    expect(await store.stats()).toEqual({ items: 0, dim: 0 });
    expect(await store.query([1, 2, 3], 5)).toEqual([]);
  });
});

