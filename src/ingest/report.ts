import cliProgress from 'cli-progress';
import type { CorpusIssue } from '../corpus/schema.js';
import { ingest, type IngestOptions, type IngestResult } from './ingest.js';

/** Human-readable lines for the corpus issues: skipped or repaired lines and duplicates, with line numbers. */
export function describeIssues(issues: readonly CorpusIssue[]): string[] {
  if (!issues.length) return [];
  return [`corpus: ${issues.length} line(s) needed attention:`, ...issues.map((i) => `  line ${i.line}: ${i.reason}: "${i.excerpt}"`)];
}

/**
 * Runs ingestion with a progress bar on a TTY and a one-line summary either way.
 * `announceUpToDate` prints a line even when nothing had to be rebuilt (the CLI does, start-up doesn't).
 */
export async function ingestWithProgress(options: Omit<IngestOptions, 'onProgress'>, log: (msg: string) => void, announceUpToDate: boolean): Promise<IngestResult> {
  const tty = Boolean(process.stderr.isTTY);
  const bar = tty
    ? new cliProgress.SingleBar({ format: 'embedding papers [{bar}] {value}/{total} {eta_formatted} left', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  let started = false;
  const result = await ingest({
    ...options,
    onWait: (pid) => log(`index: another ingest of ${options.indexDir} is running (pid ${pid}); waiting for it to finish`),
    onProgress: (done, total) => {
      if (!bar) return;
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.update(done);
    },
  });
  bar?.stop();
  const m = result.manifest;
  if (result.rebuilt) {
    log(
      `index: built ${m.papers} papers into ${options.indexDir} in ${m.buildMs} ms (${result.reason}); ` +
        (m.embedder ? `dense vectors by ${m.embedder.id} (dim ${m.embedder.dim}) + BM25` : 'BM25 only (no embedding model)'),
    );
  } else if (announceUpToDate) {
    log(`index: ${options.indexDir} is up to date (${m.papers} papers, built ${m.builtAt}); nothing to do. Use --force to rebuild.`);
  }
  return result;
}
