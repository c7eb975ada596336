import { fnv1a32 } from '../util/hash.js';
import { mulberry32, pick } from '../util/prng.js';
import type { Paper } from './schema.js';
import { splitSentences } from './sentences.js';

/**
 * The one synthetic corpus of this repository, for scale checks: the benchmark's corpora (`npm run
 * bench`), `scripts/synth-corpus.mjs` (the evaluation at 10,000 papers) and the tests all draw
 * from here, so "10,000 papers" is the same collection in every table.
 */
export interface SyntheticCorpusOptions {
  /** Papers in all, the real ones included (fewer than the real ones: the first that many). */
  papers: number;
  /** Seed of the recombination. Defaults to 1. */
  seed?: number;
}

export const DEFAULT_SYNTHETIC_CORPUS = {
  seed: 1,
  /** Sentences of a synthetic abstract: from 4 to 8. */
  minSentences: 4,
  maxSentences: 8,
  /** Real titles whose word runs make a synthetic title: 2 or 3. */
  minTitleParts: 2,
  maxTitleParts: 3,
  /** Draws of a title that is new before the last draw is kept as it is. */
  titleAttempts: 20,
} as const;

/**
 * Changes whenever the output for the same source, size and seed changes (caches of generated
 * corpora are keyed by it).
 */
export const SYNTHETIC_CORPUS_VERSION = 2;

type Source = Pick<Paper, 'id' | 'title' | 'abstract'>;

/**
 * The real papers (id, title and abstract), then synthetic ones up to `papers`, ids `syn-000001`…:
 * each abstract 4 to 8 sentences of random real abstracts, each title a run of words from each of
 * two or three real titles, distinct from every other title when 20 draws allow. So many
 * near-copies compete with each real paper, and the real papers (and questions about them) keep
 * their ids. Deterministic for a given source, size and seed; a generator, so 100,000 papers
 * stream to a file without being held.
 *
 * @example
 * for (const p of syntheticCorpus(real.papers, { papers: 10_000 })) out.write(`${JSON.stringify(p)}\n`);
 */
export function* syntheticCorpus(real: readonly Source[], options: SyntheticCorpusOptions): Generator<Source> {
  const o = { ...DEFAULT_SYNTHETIC_CORPUS, ...options };
  if (!Number.isInteger(o.papers) || o.papers < 0) throw new RangeError(`synthetic corpus: papers must be a non-negative integer, got ${o.papers}`);
  for (const { id, title, abstract } of real.slice(0, o.papers)) yield { id, title, abstract };
  const count = o.papers - real.length;
  if (count <= 0) return;
  const titleWords = real.map((p) => p.title.split(/\s+/).filter(Boolean)).filter((w) => w.length);
  const sentences = real.map((p) => splitSentences(p.abstract)).filter((s) => s.length);
  if (!titleWords.length || !sentences.length) throw new RangeError('synthetic corpus: the source papers have no titles or sentences to recombine');
  // Seeded by the size too: a corpus of 10,000 is not the corpus of 1,000 continued.
  const rand = mulberry32(fnv1a32(`${o.seed}:corpus:${o.papers}`));
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const titles = new Set(real.map((p) => p.title));
  const width = Math.max(6, String(count).length);
  for (let i = 1; i <= count; i++) {
    let title = '';
    for (let attempt = 0; attempt < o.titleAttempts && (!title || titles.has(title)); attempt++) {
      const parts = between(o.minTitleParts, o.maxTitleParts);
      const words: string[] = [];
      for (let j = 0; j < parts; j++) {
        const w = pick(rand, titleWords);
        const len = 1 + Math.floor(rand() * Math.max(1, Math.ceil(w.length / parts)));
        const start = Math.floor(rand() * Math.max(1, w.length - len + 1));
        words.push(...w.slice(start, start + len));
      }
      title = words.join(' ').replace(/[:,;]+$/, '');
    }
    titles.add(title);
    const abstract = Array.from({ length: between(o.minSentences, o.maxSentences) }, () => pick(rand, pick(rand, sentences))).join(' ');
    yield { id: `syn-${String(i).padStart(width, '0')}`, title, abstract };
  }
}
