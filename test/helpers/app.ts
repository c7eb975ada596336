/**
 * Builds the app for HTTP tests and talks to it: in process (`buildApp`, then `app.request()`), or
 * over a real socket (`start`) for the suites that need one (lifecycle, load, browser).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/node.js';
import { readSse, type ChatDone, type ReadSseOptions, type SseResult } from './sse.js';

export interface TestDirs {
  indexDir: string;
  modelsDir: string;
  cleanup(): Promise<void>;
}

/** A fresh index folder and an empty models folder (so dense retrieval is off and nothing is downloaded). */
export async function makeDirs(prefix: string): Promise<TestDirs> {
  const indexDir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-index-`));
  const modelsDir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-models-`));
  return {
    indexDir,
    modelsDir,
    cleanup: async () => {
      await rm(indexDir, { recursive: true, force: true });
      await rm(modelsDir, { recursive: true, force: true });
    },
  };
}

/** The environment of an extractive (no LLM) server. */
export function baseEnv(dirs: TestDirs): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    INDEX_DIR: dirs.indexDir,
    MODELS_DIR: dirs.modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    CORPUS_PATH: 'data/papers.txt',
    PROMPTS_DIR: 'prompts',
    RATE_LIMIT_PER_MINUTE: '0',
    ALLOWED_ORIGINS: '',
  };
  // An LLM configured in the developer's shell must not leak into extractive tests.
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  delete env.OPENAI_MODEL;
  delete env.LLM_TIMEOUT_MS;
  return env;
}

export interface LogSink {
  lines: string[];
  log: (msg: string) => void;
}
export const logSink = (): LogSink => {
  const lines: string[] = [];
  return { lines, log: (m) => lines.push(m) };
};

export async function start(env: Record<string, string | undefined>, sink: LogSink = logSink()): Promise<RunningServer> {
  return startServer(env, sink.log);
}

export interface Msg {
  role: 'user' | 'assistant';
  content: string;
  citations?: string[];
  /** The server's signature of an answer it gave, sent back with the assistant turn. */
  signature?: string;
}

export const user = (content: string): Msg => ({ role: 'user', content });
export const assistant = (content: string): Msg => ({ role: 'assistant', content });

/** The app in process (what `buildApp` returns): requests go through `app.request()`, no socket. */
export interface InProcessApp {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}
/** A server's base URL, or the app in process. */
export type Target = string | InProcessApp;

/** A request to `path` of a real server (fetch) or of the app in process (`app.request`). */
export async function send(target: Target, path: string, init: RequestInit = {}): Promise<Response> {
  return typeof target === 'string' ? fetch(`${target}${path}`, init) : target.request(path, init);
}

/** `POST /api/chat` without streaming; returns status and parsed body. */
export async function chatJson(base: Target, messages: Msg[], extra: Record<string, unknown> = {}): Promise<{ status: number; body: ChatDone; ms: number; headers: Headers }> {
  const t0 = performance.now();
  const res = await send(base, '/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages, ...extra }),
  });
  const body = (await res.json()) as ChatDone;
  return { status: res.status, body, ms: performance.now() - t0, headers: res.headers };
}

/** `POST /api/chat` streaming (`stream: true`, or via the Accept header when `via: 'accept'`). */
export async function chatStream(
  base: Target,
  messages: Msg[],
  opts: { via?: 'flag' | 'accept'; signal?: AbortSignal } & ReadSseOptions = {},
): Promise<SseResult & { status: number; contentType: string; ms: number }> {
  const t0 = performance.now();
  const res = await send(base, '/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.via === 'accept' ? { accept: 'text/event-stream' } : {}) },
    body: JSON.stringify(opts.via === 'accept' ? { messages } : { messages, stream: true }),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const contentType = res.headers.get('content-type') ?? '';
  const result = await readSse(res, { startedAt: t0, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
  return { ...result, status: res.status, contentType, ms: performance.now() - t0 };
}

export async function search(base: Target, query: string, k: number): Promise<{ id: string; title: string; score: number; snippet?: string }[]> {
  const res = await send(base, '/api/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, k }) });
  if (res.status !== 200) throw new Error(`search answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { results: { id: string; title: string; score: number; snippet?: string }[] }).results;
}

export async function paper(base: Target, id: string): Promise<{ id: string; title: string; abstract: string }> {
  const res = await send(base, `/api/papers/${encodeURIComponent(id)}`);
  if (res.status !== 200) throw new Error(`paper ${id} answered ${res.status}`);
  return (await res.json()) as { id: string; title: string; abstract: string };
}

/** The marker numbers in an answer, in order of appearance (`[1][2]` and `[1, 2]` alike). */
export function markerNumbers(answer: string): number[] {
  return [...answer.matchAll(/\[(\d+(?:\s*[,;]\s*\d+)*)\]/g)].flatMap((m) => m[1]!.split(/\s*[,;]\s*/).map(Number));
}

/**
 * Checks the citation contract: every marker has a citation, every citation is cited, citations
 * are listed by number and each paper under one number only. Returns a list of problems (empty when valid).
 */
export function citationProblems(done: ChatDone): string[] {
  const problems: string[] = [];
  const used = markerNumbers(done.answer);
  const ns = done.citations.map((c) => c.n);
  for (const n of used) if (!ns.includes(n)) problems.push(`marker [${n}] has no citation`);
  for (const n of ns) if (!used.includes(n)) problems.push(`citation ${n} is never cited`);
  if (JSON.stringify(ns) !== JSON.stringify([...ns].sort((a, b) => a - b))) problems.push(`citations are not listed by number: ${ns.join(',')}`);
  if (new Set(done.citations.map((c) => c.id)).size !== done.citations.length) problems.push('a paper is cited under two numbers');
  return problems;
}

export const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/**
 * The quotes of an extractive answer with the marker each is cited by: `Name: "…" [n]` (a
 * one-paper answer) and `- Title [n]: "…"` (a list line), split at the ellipses that mark skipped
 * sentences. `name` is the paper's name or title as the answer writes it.
 */
export function extractiveQuotes(answer: string): { n: number; name: string; text: string }[] {
  const out: { n: number; name: string; text: string }[] = [];
  for (const line of answer.split('\n')) {
    const m = /^(.+?): "(.+)" \[(\d+)\]$/.exec(line) ?? /^- (.+?) \[(\d+)\]: "(.+)"$/.exec(line);
    if (!m) continue;
    const [name, text, n] = line.startsWith('- ') ? [m[1]!, m[3]!, m[2]!] : [m[1]!, m[2]!, m[3]!];
    for (const piece of text.split(/\s*…\s*/).filter(Boolean)) out.push({ n: Number(n), name, text: piece });
  }
  return out;
}
