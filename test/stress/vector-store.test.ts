/**
 * VectorStore at scale (`npm run test:stress`): 70,000 vectors of dimension 384 build in linear
 * time across vectra shards, then open and answer exactly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARD_SIZE, VectorStore } from '../../src/platform/node/vector-store.js';
import { mulberry32 } from '../../src/util/prng.js';
import { bruteForce, unitVector } from '../helpers/vectors.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vector-store-stress-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('VectorStore: 70,000 vectors of dimension 384', () => {
  it('builds in linear time, then opens and answers fast', async () => {
    const N = 70_000;
    const DIM = 384;
    const rand = mulberry32(70);
    const items = Array.from({ length: N }, (_, i) => ({ id: `p${String(i).padStart(6, '0')}`, vector: unitVector(DIM, rand) }));
    const folder = join(tmp, 'stress');
    const perItem: number[] = [];
    let t = performance.now();
    await VectorStore.build(folder, items, { onShard: ({ items: n, ms }) => perItem.push((ms / n) * 1000) });
    const buildMs = performance.now() - t;
    t = performance.now();
    const store = await VectorStore.open(folder);
    const openMs = performance.now() - t;
    const q = unitVector(DIM, rand);
    t = performance.now();
    const hits = await store.query(q, 20);
    const queryMs = performance.now() - t;
    console.log(
      `VectorStore ${N}×${DIM}: build ${buildMs.toFixed(0)} ms (µs/item per shard: ${perItem.map((x) => x.toFixed(0)).join(' ')}), open ${openMs.toFixed(0)} ms, first query ${queryMs.toFixed(1)} ms`,
    );
    expect(perItem).toHaveLength(Math.ceil(N / SHARD_SIZE));
    // Median of three shards at each end: one shard can stall on a busy machine.
    const median3 = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    expect(median3(perItem.slice(-3))).toBeLessThan(2 * median3(perItem.slice(0, 3)));
    expect(await store.stats()).toEqual({ items: N, dim: DIM });
    expect(hits.map((h) => h.id)).toEqual(bruteForce(items, q, 20).map((h) => h.id));
  }, 300_000);
});
