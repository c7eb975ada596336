/** vectra's own hybrid (LocalDocumentIndex, isBm25) on the same papers and fake vectors, beside ours. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { percentile, round } from './common.mjs';
import { inProcess } from './child-phases.mjs';
import { corpusPapers, searchQuestions } from './corpora.mjs';
import { FAKE_MODEL, SEARCH_QUESTIONS, VECTRA_CAP_MS } from './options.mjs';
import { corpusOf } from './size.mjs';

/** Measures vectra at `entry.papers` into `entry` (an entry of results.vectra). */
export async function measureVectra(run, entry) {
  const { options, phase, results, workDir } = run;
  const n = entry.papers;
  const corpus = await phase(entry, 'vectra corpus', async () => (await corpusOf(n, options.seed)).path);
  if (typeof corpus !== 'string') return;
  const papers = await corpusPapers(corpus);
  const questionsFile = join(workDir, `vectra-questions-${n}.json`);
  await writeFile(questionsFile, JSON.stringify(searchQuestions(papers, SEARCH_QUESTIONS, n, options.seed)));
  const dim = FAKE_MODEL.split(':')[1];
  // Our hybrid on the same papers: from the size run when there was one, else measured here.
  let ours = results.sizes.find((s) => s.papers === papers.length && s.dense?.hybridP50 != null)?.dense;
  if (!ours) {
    const r = await phase(entry, 'in-process hybrid for vectra comparison', () => inProcess(['dense', '--corpus', corpus, '--questions', questionsFile, '--dim', dim]));
    ours = r.error ? null : r.result;
  }
  const measured = await phase(entry, 'vectra LocalDocumentIndex (isBm25)', async () => {
    try {
      return (await inProcess(['vectra', '--corpus', corpus, '--questions', questionsFile, '--queries', '20', '--dim', dim], { timeoutMs: VECTRA_CAP_MS })).result;
    } catch (e) {
      if (!e.progress) throw e;
      // Cut off at the cap, or crashed outright: keep what it measured before.
      const ingested = e.progress.find((p) => p.phase === 'ingested');
      const queries = e.progress.filter((p) => p.phase === 'query').map((p) => p.ms);
      const ingestProgress = e.progress.filter((p) => p.phase === 'ingest').at(-1);
      return {
        papers: n,
        ingestMs: ingested ? ingested.ingestMs : e.timedOut ? `> ${VECTRA_CAP_MS / 1000} s` : null,
        ...(ingested ? {} : ingestProgress ? { ingestedBeforeCap: ingestProgress.done } : {}),
        queries: queries.length,
        p50: round(percentile(queries, 50), 3),
        p99: round(percentile(queries, 99), 3),
        error: e.timedOut ? `> ${VECTRA_CAP_MS / 1000} s: stopped at the cap` : e.message,
      };
    }
  });
  Object.assign(entry, measured.error && !('ingestMs' in measured) ? { error: measured.error } : measured);
  entry.oursHybridP50 = ours?.hybridP50 ?? null;
  entry.ratio = typeof entry.p50 === 'number' && ours?.hybridP50 ? round(entry.p50 / ours.hybridP50, 0) : null;
}
