/**
 * The docs' evaluation regions, rendered from the reports in `eval/reports/*.json` (what
 * `npm run eval -- --set FILE --json OUT` writes): one row per report file, named by the file, in
 * the order of their names.
 */
import { fmt, pair, table } from '../bench/report.mjs';

export const REPORTS = 'eval/reports/*.json';

const NONE = 'No reports in `eval/reports/` yet: see [Refreshing the tables](#refreshing-the-tables).';
const ratio = (v) => (typeof v === 'number' ? v.toFixed(3) : '–');
const name = (r) => `\`${r.file.replace(/\.json$/, '')}\``;
const set = (r) => `${r.report.set ?? '–'} (${fmt(r.report.items)})`;
const server = (r) => {
  const s = r.report.server;
  return s ? `${s.dense ? `hybrid, ${s.embedder}` : 'lexical'}; ${s.llm}` : '–';
};

/** Answer quality: retrieval, citations, abstentions, facts. */
function quality(reports) {
  if (!reports.length) return NONE;
  return table(
    ['report', 'set (items)', 'server', 'recall@1', 'recall@5', 'MRR@10', 'cited gold', 'false abstain', 'abstain accuracy', 'fact accuracy', 'multi citation recall', 'verified mean', 'search p50'],
    reports.map((r) => {
      const s = r.report.search ?? {};
      const c = r.report.chat ?? {};
      return [name(r), set(r), server(r), ratio(s.recall_at_1), ratio(s.recall_at_5), ratio(s.mrr_at_10), ratio(c.cited_gold_rate), ratio(c.false_abstain_rate), ratio(c.abstain_accuracy), ratio(c.fact_accuracy), ratio(c.multi_citation_recall), ratio(c.verified_mean), fmt(s.p50_ms, ' ms')];
    }),
  );
}

/** The answer path: LLM answers kept, fallbacks and why, checks, latency. */
function answering(reports) {
  if (!reports.length) return NONE;
  const rows = table(
    ['report', 'LLM answers kept', 'fallback rate', 'unsupported claims', 'dangling markers', 'literal quotes', 'errors', 'first delta p50 / p95', 'answer p50 / p95'],
    reports.map((r) => {
      const c = r.report.chat ?? {};
      return [name(r), ratio(c.llm_answer_rate), ratio(c.fallback_rate), fmt(c.unsupported_claims), fmt(c.dangling_markers), ratio(c.literal_quote_rate), fmt(c.errors), pair(c.first_delta_p50_ms, c.first_delta_p95_ms), pair(c.answer_p50_ms, c.answer_p95_ms)];
    }),
  );
  const reasons = reports.flatMap((r) => {
    const f = Object.entries(r.report.fallbacks ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return f.length ? [`- ${name(r)} fell back: ${f.map(([why, n]) => `${n}× ${why}`).join('; ')}`] : [];
  });
  return reasons.length ? `${rows}\n\n${reasons.join('\n')}` : rows;
}

export const EVAL_REGIONS = {
  'eval-quality': { source: REPORTS, render: quality },
  'eval-answering': { source: REPORTS, render: answering },
};
