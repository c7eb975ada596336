#!/usr/bin/env node
/**
 * Writes a larger corpus for scale checks: the real papers plus synthetic ones recombined from
 * their sentences and title words (src/corpus/synthetic.ts, the generator the benchmark and the
 * tests use too). Deterministic for a given source, size and seed.
 *
 *   node scripts/synth-corpus.mjs --papers 10000 --out /tmp/corpus-10k.jsonl [--corpus data/papers.txt] [--seed 1]
 */
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';
import { writeSyntheticCorpus } from './lib/synthetic-corpus-file.mjs';

const { values } = parseArgs({
  options: { papers: { type: 'string', default: '10000' }, out: { type: 'string' }, corpus: { type: 'string', default: 'data/papers.txt' }, seed: { type: 'string', default: '1' } },
});
const papers = Number(values.papers);
if (!values.out || !Number.isInteger(papers) || papers < 1) {
  console.error('usage: node scripts/synth-corpus.mjs --papers N --out FILE.jsonl [--corpus data/papers.txt] [--seed 1]');
  process.exit(2);
}
const { loadCorpus } = await tsImport('../src/corpus/load.ts', import.meta.url);
const real = (await loadCorpus(values.corpus)).papers;
const written = await writeSyntheticCorpus(values.out, real, { papers, seed: Number(values.seed) >>> 0 });
console.log(`wrote ${written} papers (${Math.min(real.length, written)} real) to ${values.out}`);
