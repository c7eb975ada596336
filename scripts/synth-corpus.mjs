#!/usr/bin/env node
/**
 * Writes a larger corpus for scale checks: the real papers plus synthetic ones recombined from
 * their sentences (each synthetic abstract takes sentences of several real abstracts; its title
 * joins halves of two real titles). Deterministic for a given size and seed.
 *
 *   node scripts/synth-corpus.mjs --papers 10000 --out /tmp/corpus-10k.jsonl [--corpus data/papers.txt] [--seed 1]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';

const { values } = parseArgs({
  options: { papers: { type: 'string', default: '10000' }, out: { type: 'string' }, corpus: { type: 'string', default: 'data/papers.txt' }, seed: { type: 'string', default: '1' } },
});
if (!values.out) {
  console.error('usage: node scripts/synth-corpus.mjs --papers N --out FILE.jsonl [--corpus data/papers.txt] [--seed 1]');
  process.exit(2);
}
const { loadCorpus } = await tsImport('../src/corpus/load.ts', import.meta.url);
const { splitSentences } = await tsImport('../src/corpus/sentences.ts', import.meta.url);
const { papers } = await loadCorpus(values.corpus);

let seed = Number(values.seed) >>> 0;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const sentences = papers.map((p) => splitSentences(p.abstract));
const titles = new Set(papers.map((p) => p.title));
const out = papers.map(({ id, title, abstract }) => ({ id, title, abstract }));
for (let i = 0; out.length < Number(values.papers); i++) {
  const [a, b] = [pick(papers).title.split(' '), pick(papers).title.split(' ')];
  const title = `${a.slice(0, Math.ceil(a.length / 2)).join(' ')} ${b.slice(Math.ceil(b.length / 2)).join(' ')} (${i + 1})`;
  if (titles.has(title)) continue;
  titles.add(title);
  const n = 4 + Math.floor(rand() * 5);
  const abstract = Array.from({ length: n }, () => pick(pick(sentences))).join(' ');
  out.push({ id: `synthetic-${i + 1}`, title, abstract });
}
writeFileSync(values.out, out.map((p) => JSON.stringify(p)).join('\n') + '\n');
console.log(`wrote ${out.length} papers (${papers.length} real) to ${values.out}`);
