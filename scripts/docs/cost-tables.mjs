/**
 * The Workers cost regions, computed from `bench/workers-costs.json`: Cloudflare's published
 * marginal prices and what one question uses (CPU, D1 rows read, vector dimensions, tokens). Every
 * dollar figure is arithmetic on that file; change a price there, not here.
 */
import { table } from '../bench/report.mjs';

export const COSTS = 'bench/workers-costs.json';

/** Two significant digits: 0.026045 → 0.026. */
const sig = (x) => Number(x.toPrecision(2));
const dollars = (x) => `$${sig(x)}`;
const count = (n) => (n >= 1e9 ? `${sig(n / 1e9)} billion` : n >= 1e6 ? `${sig(n / 1e6)} million` : sig(n).toLocaleString('en-US'));
const papers = (n) => Number(n).toLocaleString('en-US');

/** Per 1,000 questions at a collection size: each line of the bill, in dollars. */
export function perThousand(c, size) {
  const p = c.prices;
  const u = c.usage;
  const q = 1000;
  const rows = u.d1RowsPerQuestion[String(size)];
  if (typeof rows !== 'number') throw new Error(`${COSTS}: usage.d1RowsPerQuestion has no entry for ${size} papers`);
  const neurons = (tokens, perMillion) => (tokens * perMillion) / 1e6;
  const worker = (q * p.workersPerMillionRequests) / 1e6 + (q * u.cpuMsPerQuestion * p.workersPerMillionCpuMs) / 1e6;
  const d1 = (q * rows * p.d1PerMillionRowsRead) / 1e6;
  const vectorize = (q * u.dimensions * p.vectorizePerMillionQueriedDimensions) / 1e6;
  const embed = (q * neurons(u.queryTokens, p.embeddingNeuronsPerMillionTokens) * p.workersAiPerThousandNeurons) / 1000;
  const llm = (q * (neurons(u.answerTokensIn, p.llmNeuronsPerMillionInputTokens) + neurons(u.answerTokensOut, p.llmNeuronsPerMillionOutputTokens)) * p.workersAiPerThousandNeurons) / 1000;
  return { worker, d1, vectorize, embed, total: worker + d1 + vectorize + embed, llm, rows };
}

function costs(c) {
  const sizes = c.sizes;
  const bills = sizes.map((s) => perThousand(c, s));
  const u = c.usage;
  const line = (label, f) => [label, ...bills.map(f)];
  return table(['per 1,000 questions', ...sizes.map((s) => `${papers(s)} papers`)], [
    line(`Worker requests and CPU (${u.cpuMsPerQuestion} ms CPU each)`, (b) => dollars(b.worker)),
    line(`D1 rows read (\`d1\` mode: the postings of the question's terms; ${bills.map((b, i) => `${count(b.rows)} a question at ${papers(sizes[i])}`).join(', ')})`, (b) => dollars(b.d1)),
    line(`Vectorize query (${u.dimensions} dimensions; topK does not change the price)`, (b) => dollars(b.vectorize)),
    line(`Workers AI query embedding (${u.queryTokens} tokens)`, (b) => dollars(b.embed)),
    line('**without an LLM**', (b) => `**${dollars(b.total)}**`),
    line(`Workers AI \`${c.llm}\` answer (${papers(u.answerTokensIn)} tokens in, ${u.answerTokensOut} out)`, (b) => dollars(b.llm)),
  ]);
}

function included(c) {
  const inc = c.included;
  const u = c.usage;
  const bySize = c.sizes.map((s) => ({ s, rows: u.d1RowsPerQuestion[String(s)], stored: s * u.dimensions }));
  const rowsCover = bySize.map((b) => `${count(inc.d1RowsRead / b.rows)} questions at ${papers(b.s)} papers`).join(', ');
  const dimsCover = bySize.map((b) => `${count(Math.max(0, inc.vectorizeQueriedDimensions - b.stored) / u.dimensions)} at ${papers(b.s)} papers`).join(', ');
  const storage = bySize.map((b) => {
    const over = Math.max(0, b.stored - inc.vectorizeStoredDimensions);
    return over ? `at ${papers(b.s)} papers the vectors cost ${dollars((over * c.prices.vectorizePer100MillionStoredDimensions) / 1e8)} a month` : `at ${papers(b.s)} papers the vectors are within it`;
  });
  return [
    `The monthly included amounts cover ${count(inc.d1RowsRead)} D1 rows read (${rowsCover}) and ${count(inc.vectorizeQueriedDimensions)} queried Vectorize dimensions, which also count the stored vectors once (${dimsCover}).`,
    `Stored vectors: ${count(inc.vectorizeStoredDimensions)} dimensions are included (${count(inc.vectorizeStoredDimensions / u.dimensions)} papers at ${u.dimensions}); ${storage.join(', ')}.`,
    `Prices: ${c.source}; check them before relying on these figures.`,
  ].join(' ');
}

export const COST_REGIONS = {
  'workers-costs': { source: COSTS, render: costs },
  'workers-included': { source: COSTS, render: included },
};
