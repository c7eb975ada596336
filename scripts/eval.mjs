#!/usr/bin/env node
// Evaluates the answers of a running server (or of one this script starts against an LLM) over a
// question set, streaming each answer as a client does, and reports what the shared scorer does
// not: how LLM answers fare (kept, fallen back and why, verified share, unsupported claims) and
// the time to the first streamed delta.
//
//   npm run eval -- --base http://127.0.0.1:8787            # a running server
//   npm run eval -- --llm http://127.0.0.1:8790/v1           # starts the app against this LLM
//   options: --set FILE (default ../shared/eval/dev.jsonl), --model NAME (OPENAI_MODEL), --json OUT
//
// The shared scorer (node ../shared/eval/score.mjs --base URL) gives recall, cited gold, facts
// and abstention; this adds the LLM-specific lines. No dependencies beyond Node 20 and tsx (for
// the repository's own quantile).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { tsImport } from 'tsx/esm/api';

const { quantile } = await tsImport('../src/util/quantiles.ts', import.meta.url);

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]);
    return acc;
  }, []),
);
const setPath = args.set || '../shared/eval/dev.jsonl';
const items = fs.readFileSync(setPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const norm = (s) => String(s).toLowerCase().normalize('NFKC').replace(/[\u2010-\u2015\u2212]/g, '-').replace(/\s+/g, ' ').trim();

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts `npm start`'s server on a free port against the LLM; resolves with its base URL and a stop function. */
async function startApp(llmUrl) {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', OPENAI_BASE_URL: llmUrl, OPENAI_API_KEY: process.env.OPENAI_API_KEY || 'local', OPENAI_MODEL: args.model || process.env.OPENAI_MODEL || 'gemma-3-270m', LLM_TIMEOUT_MS: process.env.LLM_TIMEOUT_MS || '60000' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
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
  let error = null;
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
      if (event === 'error') error = data;
    }
  }
  return { done, firstDelta, error, ms: performance.now() - t0 };
}

const app = args.llm ? await startApp(args.llm) : { base: String(args.base || 'http://127.0.0.1:8787').replace(/\/$/, ''), stop: () => {} };
/** Abstracts by id, fetched once, to check that every quote is a literal span of its abstract. */
const abstracts = new Map();
async function abstractOf(id) {
  if (!abstracts.has(id)) abstracts.set(id, fetch(`${app.base}/api/papers/${encodeURIComponent(id)}`).then((r) => (r.ok ? r.json() : null)).then((p) => p?.abstract ?? null));
  return abstracts.get(id);
}
const acc = { citations: 0, literalQuotes: 0, answers: 0, abstained: 0, llm: 0, fallbacks: {}, verified: [], unsupported: 0, dangling: 0, answerable: 0, citedGold: 0, errors: 0, firstDelta: [], ms: [] };
try {
  for (const it of items) {
    let messages = [];
    if (it.turns) {
      const first = await streamChat(app.base, [{ role: 'user', content: it.turns[0] }]).catch(() => ({}));
      messages = [{ role: 'user', content: it.turns[0] }, { role: 'assistant', content: first.done?.answer ?? '', citations: first.done?.citations?.map((c) => c.id) ?? [] }];
    }
    messages.push({ role: 'user', content: it.question });
    const r = await streamChat(app.base, messages).catch((e) => ({ error: e?.cause?.code ?? e?.message ?? String(e) }));
    if (!r.done) {
      acc.errors++;
      continue;
    }
    const d = r.done;
    acc.answers++;
    acc.ms.push(r.ms);
    if (r.firstDelta !== null) acc.firstDelta.push(r.firstDelta);
    if (d.abstained) acc.abstained++;
    if (d.mode === 'llm' && !d.abstained) acc.llm++;
    if (d.fallback) {
      const reason = d.fallback.replace(/\(\d+% of its claims verified\)/, '(…% verified)').replace(/\d+ ms/, 'N ms');
      acc.fallbacks[reason] = (acc.fallbacks[reason] ?? 0) + 1;
    }
    if (typeof d.verified === 'number') acc.verified.push(d.verified);
    acc.unsupported += d.unsupported?.length ?? 0;
    for (const c of d.citations) {
      acc.citations++;
      const abstract = await abstractOf(c.id);
      if (c.quote && abstract !== null && abstract.slice(c.quote.start, c.quote.end) === c.quote.text) acc.literalQuotes++;
    }
    const ns = new Set(d.citations.map((c) => c.n));
    acc.dangling += [...d.answer.matchAll(/\[(\d+)\]/g)].filter((m) => !ns.has(Number(m[1]))).length;
    if (it.gold.length && it.type !== 'multi') {
      acc.answerable++;
      if (!d.abstained && d.citations.some((c) => norm(c.title) === norm(it.gold[0]))) acc.citedGold++;
    }
  }
} finally {
  app.stop();
}
const fallbackN = Object.values(acc.fallbacks).reduce((a, b) => a + b, 0);
const ratio = (a, b) => (b ? (a / b).toFixed(3) : '-');
const mean = (xs) => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3) : '-');
const result = {
  set: setPath,
  answers: acc.answers,
  errors: acc.errors,
  cited_gold_rate: ratio(acc.citedGold, acc.answerable),
  dangling_markers: acc.dangling,
  literal_quote_rate: ratio(acc.literalQuotes, acc.citations),
  llm_answers_kept: acc.llm,
  fallback_rate: ratio(fallbackN, acc.answers - acc.abstained),
  verified_mean: mean(acc.verified),
  unsupported_claims: acc.unsupported,
  first_delta_p50_ms: Math.round(quantile(acc.firstDelta, 0.5) ?? NaN),
  first_delta_p95_ms: Math.round(quantile(acc.firstDelta, 0.95) ?? NaN),
  answer_p50_ms: Math.round(quantile(acc.ms, 0.5) ?? NaN),
};
console.log(`eval    ${Object.entries(result).map(([k, v]) => `${k}=${v}`).join(' ')}`);
for (const [reason, n] of Object.entries(acc.fallbacks).sort((a, b) => b[1] - a[1])) console.log(`fallback ${n}x: ${reason}`);
if (args.json) fs.writeFileSync(args.json, JSON.stringify({ ...result, fallbacks: acc.fallbacks }, null, 2));
