#!/usr/bin/env node
// Evaluates a question set against a running server (or one this script starts against an LLM),
// streaming each answer as a client does. It prints the figures of the shared scorer
// (../shared/eval/score.mjs: search recall and MRR, cited gold, facts, abstention, citation
// precision, dangling markers, quotes, verification, llm_answer_rate, fallback_rate, latency) and
// what that scorer does not: fallback reasons, literal quotes, unsupported claims and the time to
// the first streamed delta. A site owner measures the product on their own questions this way.
//
//   npm run eval -- --set my-questions.jsonl               # against http://127.0.0.1:8787
//   npm run eval -- --base http://host:port --set FILE     # another running server
//   npm run eval -- --llm http://127.0.0.1:8790/v1         # starts the app against this LLM
//   options: --model NAME (OPENAI_MODEL), --json OUT (the report; eval/reports/ feeds docs/evaluation.md), --no-search
//
// The set is JSON lines: {"id","type","question","gold":[titles],"must_contain":[strings],"turns"?:[first, follow-up]}
// (types lookup, factoid, multi, unanswerable, followup). No dependencies beyond Node 20.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]);
    return acc;
  }, []),
);
const setPath = args.set || '../shared/eval/dev.jsonl';
if (!fs.existsSync(setPath)) {
  console.error(`no question set at ${setPath}: pass --set FILE (JSON lines: {"id","type","question","gold","must_contain"})`);
  process.exit(2);
}
const items = fs.readFileSync(setPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const norm = (s) => String(s).toLowerCase().normalize('NFKC').replace(/[\u2010-\u2015\u2212]/g, '-').replace(/\s+/g, ' ').trim();
const quantile = (xs, q) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] : null);
const ratio = (a, b) => (b ? Math.round((a / b) * 1000) / 1000 : null);

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the server on a free port against the LLM; resolves with its base URL and a stop function. */
async function startApp(llmUrl) {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', REQUEST_LOG: 'false', OPENAI_BASE_URL: llmUrl, OPENAI_API_KEY: process.env.OPENAI_API_KEY || 'local', OPENAI_MODEL: args.model || process.env.OPENAI_MODEL || 'local', LLM_TIMEOUT_MS: process.env.LLM_TIMEOUT_MS || '60000' };
  const child = spawn(process.execPath, ['dist/main.js'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, stop: () => child.kill('SIGTERM') };
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error('the app did not start within 5 minutes');
}

/** Posts a streaming chat; returns the done event and when the first delta arrived. */
async function streamChat(base, messages) {
  const t0 = performance.now();
  const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages, stream: true }) });
  if (!res.ok || !res.body) return { error: `HTTP ${res.status}` };
  const decoder = new TextDecoder();
  let buf = '';
  let firstDelta = null;
  let done = null;
  for await (const chunk of res.body) {
    buf += decoder.decode(chunk, { stream: true });
    let at;
    while ((at = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, at);
      buf = buf.slice(at + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      if (event === 'delta' && firstDelta === null) firstDelta = performance.now() - t0;
      if (event === 'done') done = JSON.parse(data);
    }
  }
  return { done, firstDelta, ms: performance.now() - t0 };
}

async function search(base, query) {
  const t0 = performance.now();
  const res = await fetch(`${base}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, k: 10 }) });
  return { results: res.ok ? (await res.json()).results : null, ms: performance.now() - t0 };
}

const app = args.llm ? await startApp(args.llm) : { base: String(args.base || 'http://127.0.0.1:8787').replace(/\/$/, ''), stop: () => {} };
const abstracts = new Map();
const abstractOf = (id) => {
  if (!abstracts.has(id)) abstracts.set(id, fetch(`${app.base}/api/papers/${encodeURIComponent(id)}`).then((r) => (r.ok ? r.json() : null)).then((p) => p?.abstract ?? null));
  return abstracts.get(id);
};
// What the scored server runs (its /health), recorded in the JSON report for the docs' tables.
const health = await fetch(`${app.base}/health`).then((r) => r.json()).catch(() => null);
const s = { single: 0, r1: 0, r5: 0, r10: 0, mrr: 0, multi: 0, multiRecall: 0, ms: [] };
const c = { answerable: 0, citedGold: 0, falseAbstain: 0, facts: 0, factHit: 0, multi: 0, multiRecall: 0, unans: 0, rightAbstain: 0, citedTotal: 0, citedGoldTotal: 0, dangling: 0, errors: 0, citations: 0, quoted: 0, literal: 0, verified: [], unsupported: 0, composed: 0, byLlm: 0, fallbacks: {}, firstDelta: [], ms: [] };
try {
  for (const it of items) {
    const gold = it.gold.map(norm);
    if (!args['no-search'] && !it.turns && gold.length) {
      const r = await search(app.base, it.question);
      s.ms.push(r.ms);
      const titles = (r.results ?? []).map((x) => norm(x.title));
      if (it.type === 'multi') (s.multi++, (s.multiRecall += gold.filter((g) => titles.includes(g)).length / gold.length));
      else {
        const pos = titles.indexOf(gold[0]);
        s.single++;
        if (pos === 0) s.r1++;
        if (pos >= 0 && pos < 5) s.r5++;
        if (pos >= 0) (s.r10++, (s.mrr += 1 / (pos + 1)));
      }
    }
    let messages = [];
    if (it.turns) {
      const first = await streamChat(app.base, [{ role: 'user', content: it.turns[0] }]).catch(() => ({}));
      messages = [{ role: 'user', content: it.turns[0] }, { role: 'assistant', content: first.done?.answer ?? '', ...(first.done?.signature ? { signature: first.done.signature } : {}) }];
    }
    messages.push({ role: 'user', content: it.question });
    const r = await streamChat(app.base, messages).catch((e) => ({ error: e?.cause?.code ?? e?.message ?? String(e) }));
    if (!r.done) {
      c.errors++;
      continue;
    }
    const d = r.done;
    c.ms.push(r.ms);
    if (r.firstDelta !== null) c.firstDelta.push(r.firstDelta);
    const cited = d.citations.map((x) => norm(x.title));
    const ns = new Set(d.citations.map((x) => x.n));
    c.dangling += [...d.answer.matchAll(/\[(\d+)\]/g)].filter((m) => !ns.has(Number(m[1]))).length;
    for (const x of d.citations) {
      c.citations++;
      if (x.quote) {
        c.quoted++;
        const abstract = await abstractOf(x.id);
        if (abstract !== null && abstract.slice(x.quote.start, x.quote.end) === x.quote.text) c.literal++;
      }
    }
    if (typeof d.verified === 'number') c.verified.push(d.verified);
    c.unsupported += d.unsupported?.length ?? 0;
    if (!d.abstained) {
      c.composed++;
      if (d.mode === 'llm' && !d.fallback) c.byLlm++;
      if (d.fallback) {
        const reason = d.fallback.replace(/\(\d+% of its sentences\)/, '(…%)').replace(/\d+ ms/, 'N ms').replace(/\d+ tokens/, 'N tokens');
        c.fallbacks[reason] = (c.fallbacks[reason] ?? 0) + 1;
      }
    }
    if (!gold.length) {
      c.unans++;
      if (d.abstained) c.rightAbstain++;
    } else if (it.type === 'multi') {
      c.multi++;
      c.multiRecall += gold.filter((g) => cited.includes(g)).length / gold.length;
    } else {
      c.answerable++;
      if (d.abstained) c.falseAbstain++;
      const hit = cited.includes(gold[0]);
      if (hit) c.citedGold++;
      c.citedTotal += cited.length;
      c.citedGoldTotal += cited.filter((t) => t === gold[0]).length;
      if (it.must_contain?.length) (c.facts++, hit && it.must_contain.some((m) => norm(d.answer).includes(norm(m))) && c.factHit++);
    }
  }
} finally {
  app.stop();
}
const fallbackN = Object.values(c.fallbacks).reduce((a, b) => a + b, 0);
const report = {
  set: setPath.split('/').pop(),
  items: items.length,
  server: health ? { papers: health.papers, dense: health.dense, embedder: health.embedder, llm: health.llm } : null,
  search: args['no-search'] ? null : { recall_at_1: ratio(s.r1, s.single), recall_at_5: ratio(s.r5, s.single), recall_at_10: ratio(s.r10, s.single), mrr_at_10: ratio(s.mrr, s.single), multi_recall_at_10: ratio(s.multiRecall, s.multi), p50_ms: Math.round((quantile(s.ms, 0.5) ?? NaN) * 10) / 10 },
  chat: {
    cited_gold_rate: ratio(c.citedGold, c.answerable),
    false_abstain_rate: ratio(c.falseAbstain, c.answerable),
    fact_accuracy: ratio(c.factHit, c.facts),
    multi_citation_recall: ratio(c.multiRecall, c.multi),
    abstain_accuracy: ratio(c.rightAbstain, c.unans),
    citation_precision_single: ratio(c.citedGoldTotal, c.citedTotal),
    dangling_markers: c.dangling,
    errors: c.errors,
    quoted_citation_rate: ratio(c.quoted, c.citations),
    literal_quote_rate: ratio(c.literal, c.quoted),
    verified_mean: c.verified.length ? Math.round((c.verified.reduce((a, b) => a + b, 0) / c.verified.length) * 1000) / 1000 : null,
    unsupported_claims: c.unsupported,
    llm_answer_rate: ratio(c.byLlm, c.composed),
    fallback_rate: ratio(fallbackN, c.composed),
    first_delta_p50_ms: Math.round(quantile(c.firstDelta, 0.5) ?? NaN),
    first_delta_p95_ms: Math.round(quantile(c.firstDelta, 0.95) ?? NaN),
    answer_p50_ms: Math.round(quantile(c.ms, 0.5) ?? NaN),
    answer_p95_ms: Math.round(quantile(c.ms, 0.95) ?? NaN),
  },
};
const line = (o) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(' ');
if (report.search) console.log(`search  ${line(report.search)}`);
console.log(`chat    ${line(report.chat)}`);
for (const [reason, n] of Object.entries(c.fallbacks).sort((a, b) => b[1] - a[1])) console.log(`fallback ${n}x: ${reason}`);
if (args.json) fs.writeFileSync(args.json, JSON.stringify({ ...report, fallbacks: c.fallbacks }, null, 2));
