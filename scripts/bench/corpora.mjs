/**
 * The benchmark's corpora and questions: the real corpus at 224 papers, the repository's one
 * synthetic corpus (src/corpus/synthetic.ts) at every other size, cached; seeded questions.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { writeSyntheticCorpus } from '../lib/synthetic-corpus-file.mjs';
import { REPO } from './options.mjs';

const { loadCorpus } = await tsImport('../../src/corpus/load.ts', import.meta.url);
const { splitSentences } = await tsImport('../../src/corpus/sentences.ts', import.meta.url);
const { SYNTHETIC_CORPUS_VERSION } = await tsImport('../../src/corpus/synthetic.ts', import.meta.url);
const { sha256HexSync } = await tsImport('../../src/platform/node/hash.ts', import.meta.url);
const { fnv1a32 } = await tsImport('../../src/util/hash.ts', import.meta.url);
const { mulberry32, pick } = await tsImport('../../src/util/prng.ts', import.meta.url);

let realCorpus; // { path, papers }
/** The real corpus: CORPUS_PATH's default (data/papers.txt), else the shared original. */
export async function loadRealCorpus() {
  if (realCorpus) return realCorpus;
  // CORPUS_PATH's default (src/config.ts), resolved against the repository as the app resolves it
  // against its working directory; the shared original when the copy is missing.
  const candidates = [join(REPO, 'data', 'papers.txt'), resolve(REPO, '..', 'shared', 'corpus', 'papers.txt')];
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new Error(`the real corpus is missing (looked for ${candidates.join(', ')})`);
  const { papers } = await loadCorpus(path);
  realCorpus = { path, papers };
  return realCorpus;
}

const cacheDir = join(process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'paper-chat', 'bench');

/** The synthetic corpus of `n` papers (the real ones included) for `seed`, as a JSONL file, cached. */
export async function syntheticCorpus(n, seed) {
  const real = await loadRealCorpus();
  const source = sha256HexSync(readFileSync(real.path)).slice(0, 12);
  const path = join(cacheDir, `synthetic-v${SYNTHETIC_CORPUS_VERSION}-${n}-seed${seed}-${source}.jsonl`);
  if (existsSync(path)) return { path, cached: true };
  mkdirSync(cacheDir, { recursive: true });
  await writeSyntheticCorpus(path, real.papers, { papers: n, seed });
  return { path, cached: false };
}

/** The papers of a corpus file, for questions: the real one parsed, a synthetic one read line by line. */
export async function corpusPapers(path) {
  const real = await loadRealCorpus();
  if (path === real.path) return real.papers;
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** A generator seeded by the run's seed and what it is for. */
const seeded = (seed, label) => mulberry32(fnv1a32(`${seed}:${label}`));

/** Seeded search questions: corpus sentences of 5 to 60 words. */
export function searchQuestions(papers, n, label, seed) {
  const rand = seeded(seed, `search:${label}`);
  const out = [];
  for (let tries = 0; out.length < n && tries < n * 50; tries++) {
    const s = pick(rand, splitSentences(pick(rand, papers).abstract));
    const words = s?.split(/\s+/).filter(Boolean).length ?? 0;
    if (words >= 5 && words <= 60) out.push(s);
  }
  return out;
}

/**
 * Seeded chat questions, alternately from a title's words ("What do the papers say about ...?")
 * and from a run of 6 to 12 words of an abstract sentence (a search-box style question). The
 * synthetic papers' titles are recombined word runs, so there most title questions abstain.
 */
export function chatQuestions(papers, n, label, seed) {
  const rand = seeded(seed, `chat:${label}`);
  const run = (words, min, max) => {
    const len = Math.min(words.length, min + Math.floor(rand() * (max - min + 1)));
    const start = Math.floor(rand() * (words.length - len + 1));
    return words.slice(start, start + len).join(' ');
  };
  return Array.from({ length: n }, (_, i) => {
    const paper = pick(rand, papers);
    if (i % 2 === 0) return `What do the papers say about ${run(paper.title.split(/\s+/).filter(Boolean), 3, 6)}?`;
    const sentence = pick(rand, splitSentences(paper.abstract)) ?? paper.abstract;
    return `${run(sentence.replace(/[.?!]+$/, '').split(/\s+/).filter(Boolean), 6, 12)}?`;
  });
}
