import type { Paper } from '../corpus/schema.js';
import type { Embedder } from '../retrieval/embedder.js';
import type { FeedbackStore, PaperFeedback } from './store.js';
import { groupTopics, type Topic, type TopicOptions } from './topics.js';

/** What the coverage report reads and shows (one place; see README "Feedback and coverage gaps"). */
export const DEFAULT_REPORT = {
  /** The newest gaps grouped into topics. Defaults to 2000. */
  gaps: 2000,
  /** Papers never cited listed by name (all are counted). Defaults to 50. */
  neverCited: 50,
  /** Papers listed under feedback. Defaults to 30. */
  feedbackPapers: 30,
};
export type ReportOptions = typeof DEFAULT_REPORT & { topics?: Partial<TopicOptions> };

/** The papers the report names: the Retriever, or the loaded index. */
export interface PaperLookup {
  /** Every paper when they are in memory; null when they are not (D1): papers never cited are then not listed. */
  readonly papers: readonly Paper[] | null;
  getPapers(ids: readonly string[]): Promise<Paper[]>;
}

export interface CoverageReport {
  generatedAt: string;
  /** Gaps read (the newest, at most `gaps`), and of them the refusals, which are not topics of the collection. */
  gaps: number;
  refused: number;
  method: 'embedding' | 'lexical';
  topics: Topic[];
  /** Papers no recorded answer has cited (null when the papers are not in memory). */
  neverCited: { total: number; papers: { id: string; title: string }[] } | null;
  feedback: { up: number; down: number; comments: number; byPaper: (PaperFeedback & { title: string })[] };
}

/**
 * The site owner's report: the top unanswered topics (gaps grouped with the embedder when there is
 * one, else lexically), the papers never cited, and feedback by paper. `npm run gaps` prints it;
 * `/admin` shows it.
 */
export async function buildReport(store: FeedbackStore, lookup: PaperLookup, embedder: Embedder | null, options: Partial<ReportOptions> = {}): Promise<CoverageReport> {
  const o = { ...DEFAULT_REPORT, ...options };
  const [gaps, cited, byPaper, totals] = await Promise.all([store.gaps(o.gaps), store.citedCounts(), store.feedbackByPaper(), store.feedbackTotals()]);
  const asked = gaps.filter((g) => g.decision !== 'refused');
  const { topics, method } = await groupTopics(asked, embedder, o.topics);
  const never = lookup.papers?.filter((p) => !cited.has(p.id)) ?? null;
  const listed = byPaper.slice(0, o.feedbackPapers);
  const titles = new Map((await lookup.getPapers(listed.map((f) => f.paper))).map((p) => [p.id, p.title]));
  return {
    generatedAt: new Date().toISOString(),
    gaps: gaps.length,
    refused: gaps.length - asked.length,
    method,
    topics,
    neverCited: never ? { total: never.length, papers: never.slice(0, o.neverCited).map(({ id, title }) => ({ id, title })) } : null,
    feedback: { ...totals, byPaper: listed.map((f) => ({ ...f, title: titles.get(f.paper) ?? '(no longer in the collection)' })) },
  };
}

const decisionsText = (t: Topic) =>
  Object.entries(t.decisions)
    .map(([k, n]) => `${k.replace('_', ' ')} ${n}`)
    .join(', ');

/** The report as plain text (what `npm run gaps` prints). */
export function reportText(r: CoverageReport): string {
  const out: string[] = [`Coverage gaps: ${r.gaps} unanswered or weakly answered questions (${r.refused} refusals left out), grouped ${r.method === 'embedding' ? 'with the embedder' : 'by their words'}`];
  if (!r.topics.length) out.push('  none logged yet');
  r.topics.forEach((t, i) => {
    out.push('', `${i + 1}. ${t.label}: ${t.count} question${t.count === 1 ? '' : 's'} (${decisionsText(t)})`);
    for (const e of t.examples) out.push(`     - ${e}`);
  });
  out.push('');
  if (!r.neverCited) out.push('Papers never cited: not listed (no index here, or its papers live in D1)');
  else {
    out.push(`Papers never cited: ${r.neverCited.total}`);
    for (const p of r.neverCited.papers) out.push(`  - ${p.title}  (${p.id})`);
    if (r.neverCited.total > r.neverCited.papers.length) out.push(`  ... and ${r.neverCited.total - r.neverCited.papers.length} more`);
  }
  out.push('', `Feedback: ${r.feedback.up} up, ${r.feedback.down} down, ${r.feedback.comments} with a comment`);
  for (const f of r.feedback.byPaper) out.push(`  ${f.title}  (${f.paper}): ${f.up} up, ${f.down} down, ${f.wrongCitation} marked a wrong citation`);
  return `${out.join('\n')}\n`;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The report as a self-contained HTML page (what `/admin` shows): no script, inline style only. */
export function reportHtml(r: CoverageReport): string {
  const topics = r.topics.length
    ? `<ol>${r.topics.map((t) => `<li><strong>${escape(t.label)}</strong>: ${t.count} (${escape(decisionsText(t))})<ul>${t.examples.map((e) => `<li>${escape(e)}</li>`).join('')}</ul></li>`).join('')}</ol>`
    : '<p>None logged yet.</p>';
  const never = !r.neverCited
    ? '<p>Not listed: the papers are not held in memory (D1).</p>'
    : `<p>${r.neverCited.total} papers.</p><ul>${r.neverCited.papers.map((p) => `<li>${escape(p.title)} <code>${escape(p.id)}</code></li>`).join('')}</ul>`;
  const rows = r.feedback.byPaper.map((f) => `<tr><td>${escape(f.title)} <code>${escape(f.paper)}</code></td><td>${f.up}</td><td>${f.down}</td><td>${f.wrongCitation}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>paper chat: coverage report</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}code{font-size:.85em;color:#555}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.25rem .75rem;text-align:left}</style></head>
<body><h1>Coverage report</h1><p>Generated ${escape(r.generatedAt)}.</p>
<h2>Top unanswered topics</h2><p>${r.gaps} unanswered or weakly answered questions (${r.refused} refusals left out), grouped ${r.method === 'embedding' ? 'with the embedder' : 'by their words'}.</p>${topics}
<h2>Papers never cited</h2>${never}
<h2>Feedback by paper</h2><p>${r.feedback.up} up, ${r.feedback.down} down, ${r.feedback.comments} with a comment.</p>
<table><thead><tr><th>paper</th><th>up</th><th>down</th><th>wrong citation</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>`;
}
