/** The real corpus with a lexical retriever and its calibration, built the way ingestion builds them (for the support tests). */
import { loadCorpus } from '../../src/corpus/load.js';
import type { Paper } from '../../src/corpus/schema.js';
import { LexicalIndex } from '../../src/retrieval/lexical/lexical-index.js';
import { HybridRetriever } from '../../src/retrieval/retriever.js';
import { TermStats } from '../../src/retrieval/term-stats.js';
import { calibrate, type Calibration } from '../../src/support/calibrate.js';

export interface RealCorpus {
  papers: Paper[];
  retriever: HybridRetriever;
  stats: TermStats;
  calibration: Calibration;
}

export async function realCorpus(): Promise<RealCorpus> {
  const { papers } = await loadCorpus('data/papers.txt');
  const retriever = new HybridRetriever({ papers, lexical: LexicalIndex.build(papers) });
  const stats = new TermStats(papers);
  return { papers, retriever, stats, calibration: await calibrate(retriever, stats) };
}
