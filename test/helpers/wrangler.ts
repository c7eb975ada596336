/**
 * The Worker under `wrangler dev` (workerd from npm, local and offline), for the tests that run
 * it beside the Node server, and a local D1 loaded the way `npm run deploy:data` says.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ExportPlan } from '../../src/ingest/deploy-data.js';
import type { Embedder } from '../../src/retrieval/embedder.js';
import type { VectorSearcher } from '../../src/retrieval/retriever.js';
import { freePort } from './fake-openai.js';

const run = promisify(execFile);
const WRANGLER = 'node_modules/wrangler/bin/wrangler.js';
const wranglerEnv = () => ({ ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' });

export const D1_DATABASE = 'papers';
export const D1_BINDING = ['[[d1_databases]]', 'binding = "DB"', `database_name = "${D1_DATABASE}"`, 'database_id = "00000000-0000-0000-0000-000000000000"'];

/** The Worker's wrangler config (like the repository's), with extra lines (bindings, vars). */
export function workerConfig(name: string, lines: string[], vars: Record<string, string>): string {
  return [
    `name = "${name}"`,
    `main = "${resolve('src/worker.ts')}"`,
    'compatibility_date = "2026-05-01"',
    'compatibility_flags = ["nodejs_compat"]',
    '[[rules]]',
    'type = "Text"',
    'globs = ["**/*.txt"]',
    'fallthrough = true',
    ...lines,
    '[vars]',
    ...Object.entries(vars).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
  ].join('\n');
}

/** Runs every SQL file of an export, in order, in the local D1 kept in `persistDir`. */
export async function loadLocalD1(plan: ExportPlan, config: string, persistDir: string): Promise<void> {
  const dir = await mkdtemp(join(persistDir, '..', 'sql-'));
  for (const f of plan.sql) {
    await writeFile(join(dir, f.name), f.text);
    await run(process.execPath, [WRANGLER, 'd1', 'execute', D1_DATABASE, '--local', '--persist-to', persistDir, '-c', config, '--file', join(dir, f.name)], { env: wranglerEnv(), maxBuffer: 64 * 1024 * 1024 });
  }
}

export interface RunningWorker {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** `wrangler dev` with these configs (the first is the Worker served), ready when /health answers. */
export async function startWrangler(configs: string[], persistDir: string): Promise<RunningWorker> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [WRANGLER, 'dev', ...configs.flatMap((c) => ['-c', c]), '--port', String(port), '--ip', '127.0.0.1', '--persist-to', persistDir], {
    env: wranglerEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const status = await fetch(`${url}/health`).then((r) => r.status, () => 0);
    if (status === 200 || status === 503) break; // 503: up, but degraded or not configured (the test looks)
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGTERM');
      throw new Error(`wrangler dev did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The Node side of the in-test AI and Vectorize bindings (test/fixtures/workers-bindings/): `POST
 * /ai` embeds `inputs.text` with a real model, as Workers AI answers (`{ shape, data }`), after
 * checking the model and pooling asked for; `POST /vectorize` answers a query with real cosine
 * over the index's vectors (`{ matches: [{ id, score }] }`); with `textModel`, a streamed chat
 * completion of that model in Workers AI's SSE format. Calls are counted.
 */
export async function startBindingBackend(
  embedder: Embedder | null,
  vectors: VectorSearcher | null,
  expect: { model: string; pooling: string },
  textModel?: { model: string; answer(messages: { role: string; content: string }[]): string[] },
): Promise<{ url: string; calls: { ai: number; vectorize: number; text: number }; close(): Promise<void> }> {
  const calls = { ai: 0, vectorize: 0, text: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', async () => {
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      try {
        const input = JSON.parse(body) as Record<string, any>;
        if (req.url === '/ai' && textModel && input.model === textModel.model) {
          // A text model, streamed in Workers AI's own format: `data: {"response": ...}` events, then [DONE].
          calls.text++;
          if (!input.inputs.stream) return reply(200, { response: textModel.answer(input.inputs.messages).join('') });
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (const piece of textModel.answer(input.inputs.messages)) {
            res.write(`data: ${JSON.stringify({ response: piece })}\n\n`);
            await new Promise((r) => setTimeout(r, 15)); // piece by piece, as a model writes
          }
          res.end('data: [DONE]\n\n');
          return;
        }
        if (req.url === '/ai') {
          if (!embedder) return reply(400, { error: `no embedding model here (asked for ${input.model})` });
          calls.ai++;
          if (input.model !== expect.model || input.inputs?.pooling !== expect.pooling) return reply(400, { error: `expected ${expect.model} with ${expect.pooling} pooling, got ${input.model} with ${input.inputs?.pooling}` });
          const data = await embedder.embedDocuments(input.inputs.text as string[]);
          return reply(200, { shape: [data.length, embedder.dim], data });
        }
        if (req.url === '/vectorize') {
          calls.vectorize++;
          if (!vectors) return reply(400, { error: 'no vectors here' });
          return reply(200, { matches: await vectors.query(input.vector as number[], input.options.topK as number) });
        }
        reply(404, { error: 'no such route' });
      } catch (e) {
        reply(500, { error: String(e) });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, close: () => new Promise((r) => server.close(() => r())) };
}

/** The wrangler config of the bindings Worker, pointed at the Node backend. */
export function bindingsConfig(backendUrl: string): string {
  return [
    'name = "paper-chat-test-bindings"',
    `main = "${resolve('test/fixtures/workers-bindings/worker.js')}"`,
    'compatibility_date = "2026-05-01"',
    '[vars]',
    `BACKEND = "${backendUrl}"`,
  ].join('\n');
}

/** Service bindings that give the Worker under test `env.AI` and `env.VECTORS`. */
export const AI_AND_VECTORIZE_BINDINGS = [
  '[[services]]',
  'binding = "AI"',
  'service = "paper-chat-test-bindings"',
  'entrypoint = "Ai"',
  '[[services]]',
  'binding = "VECTORS"',
  'service = "paper-chat-test-bindings"',
  'entrypoint = "Vectors"',
];
