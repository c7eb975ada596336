/**
 * A real HTTP server speaking enough of the OpenAI chat-completions protocol for the app's LLM
 * mode: `POST /v1/chat/completions`, non-streaming (`chat.completion` JSON) or streaming
 * (`text/event-stream` of `chat.completion.chunk`s, then `data: [DONE]`).
 *
 * Behaviour is scripted per test with `fake.script({...})`; every request is recorded with its
 * parsed body and headers, and whether the client closed the connection before the response ended.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers the answer requests (the ones with the answer prompt as system message). */
export type AnswerBehaviour =
  /** Reply with the text split into these chunks, `burst` of them (default 1) every `delayMs`. */
  | { kind: 'reply'; chunks: string[]; delayMs?: number; burst?: number }
  /** An HTTP error (default 500) with an OpenAI-style error body; `retryAfter` sets that header. */
  | { kind: 'error'; status?: number; retryAfter?: number }
  /** Nothing at all, not even the response headers (a slow first byte), until the client gives up. */
  | { kind: 'silent' }
  /** Headers and one content chunk, then nothing (until the client gives up). */
  | { kind: 'stall'; firstChunk?: string }
  /** A few valid chunks, then `data: {not json` lines. */
  | { kind: 'malformed'; validChunks?: string[] }
  /** Content chunks, then the stream ends without a finish_reason or [DONE] (cut off upstream). */
  | { kind: 'cut'; chunks: string[] }
  /** One content chunk, then empty keep-alive chunks every `everyMs`, forever. */
  | { kind: 'keepalive'; firstChunk: string; everyMs: number }
  /** Content chunks every `everyMs`, forever. */
  | { kind: 'endless'; chunk: string; everyMs: number }
  /** Content chunks, then `finish_reason: length` (cut at max_tokens). */
  | { kind: 'length'; chunks: string[] };

export interface Script {
  answer: AnswerBehaviour;
  /**
   * Reply to rewrite requests (prompts/condense.txt: the last message as a standalone English
   * question); `null` answers them with HTTP 500; `silent` never answers. Default: the last message as written.
   */
  rewrite?: string | null | { kind: 'silent' };
  /** Reply to translation requests (prompts/translate.txt); `null` answers them with HTTP 500. Default: the answer unchanged. */
  translate?: string | null;
}

export interface ChatMessageBody {
  role: string;
  content: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (null when it was not JSON). */
  body: { model?: string; stream?: boolean; messages?: ChatMessageBody[]; [k: string]: unknown } | null;
  /** `rewrite` for the query rewrite (prompts/condense.txt), `translate` for prompts/translate.txt, `answer` otherwise. */
  kind: RequestKind;
  /** The response was completely written. */
  finished: boolean;
  /** The connection closed before the response was completely written (the client aborted). */
  closedEarly: boolean;
  /** Time the request arrived (ms since epoch). */
  at: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type RequestKind = 'rewrite' | 'translate' | 'answer';

/** The first line of a prompt template of the repository: a request that holds it was rendered from it. */
const head = (name: string) => readFileSync(`prompts/${name}`, 'utf8').split('\n')[0]!.trim();
const REWRITE_HEAD = head('condense.txt');
const TRANSLATE_HEAD = head('translate.txt');

/** Which prompt a request was rendered from: the rewrite and translation prompts are one user message each. */
export function requestKind(body: RecordedRequest['body']): RequestKind {
  const text = (body?.messages ?? []).map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
  if (text.includes(REWRITE_HEAD)) return 'rewrite';
  if (text.includes(TRANSLATE_HEAD)) return 'translate';
  return 'answer';
}

/** The value of a `Label: value` line of a rendered prompt (the rewrite prompt's `Last message:`). */
const field = (text: string, label: string) => new RegExp(`^${label}: ?(.*)$`, 'm').exec(text)?.[1] ?? '';
/** The answer part of a rendered translation prompt (after its `Answer:` line). */
const answerPart = (text: string) => text.split(/^Answer:\n/m)[1]?.trim() ?? '';

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  private server: http.Server | null = null;
  private current: Script = { answer: { kind: 'reply', chunks: ['OK [1].'] } };
  private created = 1_700_000_000;
  port = 0;

  /** The base URL to give the OpenAI SDK (`OPENAI_BASE_URL`). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Sets the behaviour for the following requests and forgets the recorded ones. */
  script(script: Script): void {
    this.current = script;
    this.requests.length = 0;
  }

  answerRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'answer');
  }

  rewriteRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'rewrite');
  }

  translateRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'translate');
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: RecordedRequest['body'] = null;
    try {
      body = JSON.parse(raw) as RecordedRequest['body'];
    } catch {
      body = null;
    }
    const record: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      kind: requestKind(body),
      finished: false,
      closedEarly: false,
      at: Date.now(),
    };
    this.requests.push(record);
    res.on('finish', () => {
      record.finished = true;
    });
    // 'close' also follows a normal end; only a response that never finished was cut off.
    res.on('close', () => {
      if (!res.writableFinished) record.closedEarly = true;
    });

    if (req.method !== 'POST' || !(req.url ?? '').startsWith('/v1/chat/completions')) {
      return this.sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    }
    if (!body) return this.sendJson(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });

    const model = typeof body.model === 'string' ? body.model : 'unknown';
    const script = this.current;

    if (record.kind !== 'answer') {
      const scripted = record.kind === 'rewrite' ? script.rewrite : script.translate;
      if (scripted === null) return this.sendJson(res, 500, { error: { message: `${record.kind} failed`, type: 'server_error' } });
      if (typeof scripted === 'object') return; // silent: the request is read, the response never starts
      const prompt = lastUser(body) ?? '';
      const text = scripted ?? (record.kind === 'rewrite' ? field(prompt, 'Last message') : answerPart(prompt));
      if (body.stream) return this.streamChunks(res, model, [text], 0);
      return this.sendJson(res, 200, this.completion(model, text));
    }

    const behaviour = script.answer;
    switch (behaviour.kind) {
      case 'error':
        if (behaviour.retryAfter !== undefined) res.setHeader('retry-after', String(behaviour.retryAfter));
        return this.sendJson(res, behaviour.status ?? 500, { error: { message: 'The fake model crashed', type: 'server_error', code: null } });
      case 'silent':
        return; // the request is read, the response never starts
      case 'reply':
        if (!body.stream) return this.sendJson(res, 200, this.completion(model, behaviour.chunks.join('')));
        return this.streamChunks(res, model, behaviour.chunks, behaviour.delayMs ?? 0, behaviour.burst ?? 1);
      case 'stall': {
        this.sseHead(res);
        res.write(this.chunkLine(model, behaviour.firstChunk ?? 'FT-PFN is ', true));
        return; // and nothing more: the client has to give up
      }
      case 'cut': {
        this.sseHead(res);
        behaviour.chunks.forEach((c, i) => res.write(this.chunkLine(model, c, i === 0)));
        res.end();
        return;
      }
      case 'length': {
        this.sseHead(res);
        behaviour.chunks.forEach((c, i) => res.write(this.chunkLine(model, c, i === 0)));
        res.write(this.chunkLine(model, null, false, 'length'));
        res.end('data: [DONE]\n\n');
        return;
      }
      case 'keepalive':
      case 'endless': {
        this.sseHead(res);
        res.write(this.chunkLine(model, behaviour.kind === 'keepalive' ? behaviour.firstChunk : behaviour.chunk, true));
        while (!res.destroyed && !res.writableEnded) {
          await sleep(behaviour.everyMs);
          if (res.destroyed) return;
          res.write(this.chunkLine(model, behaviour.kind === 'keepalive' ? '' : behaviour.chunk, false));
        }
        return;
      }
      case 'malformed': {
        this.sseHead(res);
        (behaviour.validChunks ?? []).forEach((c, i) => res.write(this.chunkLine(model, c, i === 0)));
        res.write('data: {not json\n\n');
        res.write('data: {"id": "x", "choices": [ {not json either\n\n');
        res.end('data: [DONE]\n\n');
        return;
      }
    }
  }

  private completion(model: string, text: string) {
    return {
      id: `chatcmpl-fake-${this.requests.length}`,
      object: 'chat.completion',
      created: this.created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    };
  }

  private chunkLine(model: string, content: string | null, first: boolean, finish: string | null = null): string {
    const delta: Record<string, string> = {};
    if (first) delta.role = 'assistant';
    if (content !== null) delta.content = content;
    const chunk = {
      id: `chatcmpl-fake-${this.requests.length}`,
      object: 'chat.completion.chunk',
      created: this.created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }

  private sseHead(res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
  }

  private async streamChunks(res: http.ServerResponse, model: string, chunks: string[], delayMs: number, burst = 1): Promise<void> {
    this.sseHead(res);
    for (let i = 0; i < chunks.length; i++) {
      if (i > 0 && delayMs > 0 && i % burst === 0) await sleep(delayMs);
      if (res.destroyed || res.writableEnded) return;
      res.write(this.chunkLine(model, chunks[i]!, i === 0));
    }
    if (res.destroyed) return;
    res.write(this.chunkLine(model, null, false, 'stop'));
    res.end('data: [DONE]\n\n');
  }

  private sendJson(res: http.ServerResponse, status: number, value: unknown): void {
    const text = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

function lastUser(body: RecordedRequest['body']): string | undefined {
  return [...(body?.messages ?? [])].reverse().find((m) => m.role === 'user')?.content;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** A port nothing listens on: open a server on port 0, note its port, close it. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Polls `check` every 25 ms until it holds or `timeoutMs` passes; returns the last result. */
export async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await sleep(25);
  }
  return check();
}
