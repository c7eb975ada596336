/**
 * The one synthetic corpus (benchmark, scripts/synth-corpus.mjs, tests): the real papers first,
 * then recombinations of their sentences and title words, reproducible, and a corpus the loader
 * reads without complaint.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, parseCorpus } from '../../src/corpus/load.js';
import type { Paper } from '../../src/corpus/schema.js';
import { splitSentences } from '../../src/corpus/sentences.js';
import { syntheticCorpus } from '../../src/corpus/synthetic.js';

let real: Paper[];
let tmp: string;
beforeAll(async () => {
  real = (await loadCorpus('data/papers.txt')).papers;
  tmp = await mkdtemp(join(tmpdir(), 'synthetic-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('syntheticCorpus', () => {
  it('starts with the real papers, keeps their ids, and fills up to the asked size', () => {
    const papers = [...syntheticCorpus(real, { papers: 1000 })];
    expect(papers).toHaveLength(1000);
    expect(papers.slice(0, real.length)).toEqual(real.map(({ id, title, abstract }) => ({ id, title, abstract })));
    expect(papers[real.length]!.id).toBe('syn-000001');
    expect(new Set(papers.map((p) => p.id)).size).toBe(1000);
    expect([...syntheticCorpus(real, { papers: 10 })].map((p) => p.id)).toEqual(real.slice(0, 10).map((p) => p.id));
  });

  it('recombines real sentences into abstracts of 4 to 8 sentences, and real title words into new titles', () => {
    const sentences = [...new Set(real.flatMap((p) => splitSentences(p.abstract)))];
    const titleWords = new Set(real.flatMap((p) => p.title.split(/\s+/)));
    const realTitles = new Set(real.map((p) => p.title));
    const synthetic = [...syntheticCorpus(real, { papers: 600 })].slice(real.length);
    for (const p of synthetic) {
      // The abstract is real sentences one after the other (the longest that fits, where one is another's start).
      let rest = p.abstract;
      let pieces = 0;
      while (rest) {
        const next = sentences.filter((s) => rest.startsWith(s)).sort((x, y) => y.length - x.length)[0];
        expect(next, `${p.id}: "${rest.slice(0, 60)}" is no real sentence`).toBeDefined();
        rest = rest.slice(next!.length).trimStart();
        pieces++;
      }
      expect(pieces).toBeGreaterThanOrEqual(4);
      expect(pieces).toBeLessThanOrEqual(8);
      for (const w of p.title.split(' ')) expect([w, `${w}:`, `${w},`, `${w};`].some((x) => titleWords.has(x))).toBe(true);
      expect(realTitles.has(p.title)).toBe(false);
    }
    expect(new Set(synthetic.map((p) => p.title)).size).toBeGreaterThan(synthetic.length * 0.99);
  });

  it('is the same for the same size and seed, and another corpus for another size or seed', () => {
    const ids = (papers: number, seed?: number) => [...syntheticCorpus(real, { papers, ...(seed === undefined ? {} : { seed }) })].slice(real.length, real.length + 20);
    expect(ids(500)).toEqual(ids(500, 1));
    expect(ids(500)).not.toEqual(ids(500, 2));
    expect(ids(500)).not.toEqual(ids(501).slice(0, 20));
  });

  it('refuses a size that is not a count', () => {
    expect(() => [...syntheticCorpus(real, { papers: -1 })]).toThrow(RangeError);
    expect(() => [...syntheticCorpus(real, { papers: 1.5 })]).toThrow(RangeError);
  });

  it('is a corpus the loader reads without issues, as scripts/synth-corpus.mjs writes it', async () => {
    const out = join(tmp, 'corpus.jsonl');
    await promisify(execFile)(process.execPath, ['scripts/synth-corpus.mjs', '--papers', '400', '--out', out]);
    const text = await readFile(out, 'utf8');
    expect(text).toBe([...syntheticCorpus(real, { papers: 400 })].map((p) => `${JSON.stringify(p)}\n`).join(''));
    const corpus = parseCorpus(text, 'jsonl');
    expect(corpus.papers).toHaveLength(400);
    expect(corpus.issues.filter((i) => !/duplicate title/.test(i.reason))).toEqual([]);
  });
});
