/**
 * The real app behind a small Hono app that serves, to the contract in src/protocol/, the routes
 * another branch is building (issue 19): `POST /api/feedback`, `GET /api/papers/:id/cite` and the
 * `feedback` flag of `/health`. It can also play a scripted `/api/chat` stream (a `done` event the
 * real answerer does not give yet: an attributed answer, an abstention kind). Every other request
 * goes to the real app, in-process. Once the server's own routes land, the tests that use the
 * feedback and cite routes switch to `startApp()`.
 */
import { serve } from '@hono/node-server';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { streamSSE } from 'hono/streaming';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/node.js';
import type { ChatResult, Source } from '../../src/protocol/chat.js';
import { FeedbackRequestSchema, type FeedbackRequest } from '../../src/protocol/feedback.js';
import type { Paper } from '../../src/protocol/papers.js';
import { testEnv } from './helpers.js';

/** One scripted chat: the sources, the text as streamed (in pieces), then the final result. */
export interface ScriptedChat {
  sources: Source[];
  deltas: string[];
  done: ChatResult;
}

export interface ContractApp {
  url: string;
  /** Feedback the server took, in order. */
  feedback: FeedbackRequest[];
  /** The `done` results of the chats answered, in order. */
  answers: ChatResult[];
  /** Every request's path, in order (to check which requests the page makes). */
  paths: string[];
  /** What `/health` says about feedback: `undefined` leaves the field out. */
  feedbackFlag: boolean | undefined;
  /** Queues a chat stream: the next `/api/chat` request gets it instead of the real answer. */
  script(chat: ScriptedChat): void;
  /** Forgets the answers given so far (their signatures become unknown). */
  forget(): void;
  /** A paper's record, from the real app. */
  paper(id: string): Promise<Paper>;
  close(): Promise<void>;
}

const DELTA_MS = 80;

/** A BibTeX, RIS or CSL-JSON reference for one paper, from what its record holds. */
export function reference(p: Paper, format: string): string {
  const key = p.id.replace(/[^a-z0-9]/g, '');
  const plain = (s: string) => s.replace(/[{}\\]/g, '');
  if (format === 'bibtex') {
    const fields = [
      ['title', `{${plain(p.title)}}`],
      ...(p.authors?.length ? [['author', p.authors.map(plain).join(' and ')]] : []),
      ...(p.year ? [['year', String(p.year)]] : []),
      ...(p.url ? [['url', p.url]] : []),
    ];
    return `@misc{${key},\n${fields.map(([k, v]) => `  ${k} = {${v}}`).join(',\n')}\n}\n`;
  }
  if (format === 'ris') {
    const lines = [['TY', 'GEN'], ['TI', p.title], ...(p.authors ?? []).map((a) => ['AU', a]), ...(p.year ? [['PY', String(p.year)]] : []), ...(p.url ? [['UR', p.url]] : []), ['ER', '']];
    return `${lines.map(([k, v]) => `${k}  - ${v}`).join('\n')}\n`;
  }
  return JSON.stringify([{ id: key, type: 'article', title: p.title, ...(p.authors ? { author: p.authors.map((literal) => ({ literal })) } : {}), ...(p.year ? { issued: { 'date-parts': [[p.year]] } } : {}), ...(p.url ? { URL: p.url } : {}) }]);
}

/** Reads the `done` result of a streamed chat response as it passes through to the browser. */
function tapDone(res: Response, onDone: (result: ChatResult) => void): Response {
  if (!res.body) return res;
  const decoder = new TextDecoder();
  let text = '';
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, ctrl) {
      text += decoder.decode(chunk, { stream: true });
      const done = /event: done\ndata: (.*)\n\n/.exec(text);
      if (done) {
        onDone(JSON.parse(done[1]!) as ChatResult);
        text = '';
      }
      ctrl.enqueue(chunk);
    },
  });
  return new Response(res.body.pipeThrough(tap), res);
}

/** Starts the real app (env as startApp's) with the contract routes in front, on 127.0.0.1. */
export async function startContractApp(env: Record<string, string> = {}): Promise<ContractApp> {
  const dir = await mkdtemp(join(tmpdir(), 'paper-chat-contract-'));
  const { app } = await buildApp(loadConfig(testEnv(dir, env)), () => {});
  const allowed = (env.ALLOWED_ORIGINS ?? '').split(',').filter(Boolean);
  const signatures = new Set<string>();
  const scripts: ScriptedChat[] = [];
  const real = (path: string) => app.fetch(new Request(`http://127.0.0.1${path}`));

  const state: Omit<ContractApp, 'url' | 'close'> = {
    feedback: [],
    answers: [],
    paths: [],
    feedbackFlag: true,
    script: (chat) => void scripts.push(chat),
    forget: () => signatures.clear(),
    paper: async (id) => (await (await real(`/api/papers/${encodeURIComponent(id)}`)).json()) as Paper,
  };

  const front = new Hono<{ Bindings: Record<string, unknown> }>();
  front.use('*', async (c, next) => {
    state.paths.push(new URL(c.req.url).pathname);
    await next();
  });
  const corsOnly = cors({ origin: (o) => (allowed.includes(o) ? o : null), allowMethods: ['GET', 'POST', 'OPTIONS'], allowHeaders: ['Content-Type', 'Accept'] });
  for (const path of ['/health', '/api/feedback', '/api/papers/:id/cite']) front.use(path, corsOnly);

  front.get('/health', async (c) => {
    // `undefined`: the field left out, as an older server would (the real one now always sends it).
    const { feedback: _real, ...health } = (await (await real('/health')).json()) as Record<string, unknown>;
    return c.json(state.feedbackFlag === undefined ? health : { ...health, feedback: state.feedbackFlag });
  });
  front.post('/api/feedback', async (c) => {
    const parsed = FeedbackRequestSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: { code: 'invalid_request', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } }, 400);
    if (!signatures.has(parsed.data.signature)) return c.json({ error: { code: 'unknown_answer', message: 'This server gave no answer with that signature.' } }, 404);
    state.feedback.push(parsed.data);
    return c.json({ id: String(state.feedback.length) }, 201);
  });
  front.get('/api/papers/:id/cite', async (c) => {
    const format = c.req.query('format') ?? '';
    if (!['bibtex', 'ris', 'csl'].includes(format)) return c.json({ error: { code: 'invalid_request', message: 'format must be bibtex, ris or csl' } }, 400);
    const res = await real(`/api/papers/${encodeURIComponent(c.req.param('id'))}`);
    if (!res.ok) return res;
    const type = { bibtex: 'application/x-bibtex', ris: 'application/x-research-info-systems', csl: 'application/vnd.citationstyles.csl+json' }[format]!;
    return c.body(reference((await res.json()) as Paper, format), 200, { 'Content-Type': `${type}; charset=utf-8` });
  });
  front.post('/api/chat', async (c, next) => {
    const given = (result: ChatResult) => {
      if (result.signature) signatures.add(result.signature);
      state.answers.push(result);
    };
    const chat = scripts.shift();
    if (!chat) {
      await next();
      c.res = tapDone(c.res, given);
      return;
    }
    given(chat.done);
    // The real app's origin guard is not on this path: CORS as it would send.
    const origin = c.req.header('origin');
    if (origin && allowed.includes(origin)) c.header('Access-Control-Allow-Origin', origin);
    return streamSSE(c, async (sse) => {
      await sse.writeSSE({ event: 'sources', data: JSON.stringify({ sources: chat.sources }) });
      for (const text of chat.deltas) {
        await sse.sleep(DELTA_MS);
        await sse.writeSSE({ event: 'delta', data: JSON.stringify({ text }) });
      }
      await sse.sleep(DELTA_MS);
      await sse.writeSSE({ event: 'done', data: JSON.stringify(chat.done) });
    });
  });
  front.all('*', (c) => app.fetch(c.req.raw, c.env));

  return new Promise((resolve) => {
    const server = serve({ fetch: front.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      const http = server as unknown as { closeAllConnections(): void };
      resolve(
        Object.assign(state, {
          url: `http://127.0.0.1:${info.port}`,
          close: async () => {
            await new Promise<void>((done) => {
              server.close(() => done());
              http.closeAllConnections();
            });
            await rm(dir, { recursive: true, force: true });
          },
        }),
      );
    });
  });
}
