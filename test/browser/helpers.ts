/**
 * Shared set-up for the browser suites: one headless Chromium per test file, the real app started
 * in-process on 127.0.0.1, a second tiny server (another origin) for host pages, and a fake
 * OpenAI-compatible LLM.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer } from '../../src/node.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** A fresh context (desktop size, reduced motion) on `url`, collecting the page's uncaught errors. */
export async function openPage(browser: Browser, url: string): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { ctx, page, errors };
}

/** The page's chat, or the widget's (Playwright's CSS locators pierce its open shadow root). */
export const chatScope = (page: Page, widget: boolean) => (widget ? page.locator('paper-chat-widget') : page.locator('body'));

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it with \`apt-get update && apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface App {
  url: string;
  close(): Promise<void>;
}

/** The environment of a test server: loopback, a fresh lexical index in `dir`, no LLM, no rate limit; `env` on top. */
export function testEnv(dir: string, env: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    INDEX_DIR: join(dir, 'index'),
    MODELS_DIR: join(dir, 'models'),
    ALLOW_REMOTE_MODELS: 'false',
    OPENAI_API_KEY: '',
    OPENAI_BASE_URL: '',
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  };
}

/** The real app on a free port, with a fresh lexical index in a temp dir. */
export async function startApp(env: Record<string, string> = {}): Promise<App> {
  const dir = await mkdtemp(join(tmpdir(), 'paper-chat-browser-'));
  const server = await startServer(testEnv(dir, env), () => {});
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Http {
  url: string;
  close(): Promise<void>;
}

/** A throwaway HTTP server on 127.0.0.1. */
export function serveHttp(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Http> {
  return new Promise((resolve) => {
    const server: Server = createServer(handler);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A host page for the widget (served from another origin), with extra CSS, or without the widget. */
export function hostPage(appUrl: string, opts: { css?: string; widget?: boolean; attrs?: string } = {}): string {
  const attrs = opts.attrs ?? 'data-title="Ask the papers" data-accent="#4f46e5" data-position="right"';
  const tag = opts.widget === false ? '' : `<script src="${appUrl}/widget.js" ${attrs} defer></script>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host blog</title><style>
body { font: 17px/1.6 Georgia, serif; margin: 0; padding: 32px 48px; background: #fdfcf8; color: #222; }
h1 { font-size: 34px; margin: 0 0 12px; } p { max-width: 40em; } button.host { padding: 8px 14px; }
${opts.css ?? ''}
</style>${tag}</head><body>
<h1 id="host-title">A host blog post</h1>
<p id="host-p">This page belongs to someone else. The paper chat widget sits in the corner and must not change how this text looks, and this page's styles must not change the widget.</p>
<p><button class="host" id="host-button">A host button</button> <a id="host-link" href="#">a host link</a></p>
<ul id="host-list"><li>One</li><li>Two</li></ul>
<div id="host-spacer" style="height: 1500px"></div>
<p id="host-end">The end of a long host page.</p>
</body></html>`;
}

/** Serves host pages: `GET /<name>` returns `pages[name]`. */
export function serveHostPages(pages: Record<string, string>): Promise<Http> {
  return serveHttp((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index';
    const body = pages[name];
    res.writeHead(body === undefined ? 404 : 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(body ?? 'not found');
  });
}

/**
 * A fake OpenAI-compatible server: streamed chat completions deliver `chunks` (with a pause between
 * them, so the browser sees the answer grow), given the last user message (an answer prompt's
 * excerpts and question: see `promptSources`) and the system message; non-streaming requests get
 * `reply` as one completion.
 */
export function fakeLlm(opts: { chunks: (userText: string, system: string) => string[]; reply?: (userText: string) => string; delayMs?: number }): Promise<Http & { requests: unknown[] }> {
  const requests: unknown[] = [];
  return serveHttp(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    const body = JSON.parse(raw || '{}') as { stream?: boolean; messages?: { role: string; content: unknown }[] };
    requests.push(body);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const user = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
    const userText = typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
    const system = (body.messages ?? []).filter((m) => m.role === 'system').map((m) => String(m.content)).join('\n');
    const chunk = (delta: Record<string, string>, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'fake', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    if (!body.stream) {
      const content = opts.reply ? opts.reply(userText) : opts.chunks(userText, system).join('');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 0,
          model: 'fake',
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(chunk({ role: 'assistant', content: '' }, null));
    for (const text of opts.chunks(userText, system)) {
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 120));
      if (res.destroyed) return;
      res.write(chunk({ content: text }, null));
    }
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  }).then((http) => Object.assign(http, { requests }));
}

/** Records the text of the newest answer body, and whether it was streaming, on every DOM change. */
export async function recordAnswerStates(page: Page, rootSelector?: string): Promise<void> {
  await page.evaluate((sel) => {
    const w = window as unknown as { __states: { status: string; busy: string | null; text: string }[] };
    w.__states = [];
    const root = sel ? (document.querySelector(sel)!.shadowRoot as ShadowRoot) : document;
    const snap = () => {
      const turns = root.querySelectorAll('.pc-turn');
      const turn = turns[turns.length - 1];
      if (!turn) return;
      const body = turn.querySelector('.pc-body')!;
      w.__states.push({ status: turn.getAttribute('data-status') ?? '', busy: body.getAttribute('aria-busy'), text: body.textContent ?? '' });
    };
    new MutationObserver(snap).observe(sel ? root : document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  }, rootSelector ?? null);
}

export type AnswerState = { status: string; busy: string | null; text: string };
export const answerStates = (page: Page) => page.evaluate(() => (window as unknown as { __states: AnswerState[] }).__states);

/**
 * The excerpts of the sources in an answer prompt's user message, by number, as `formatExcerpts`
 * lays them out (`[n] Title`, then the source's sentences that bear on the question); empty for
 * any other request (a query rewrite, a translation).
 */
export function promptSources(userMessage: string): Map<number, { title: string; excerpt: string }> {
  const out = new Map<number, { title: string; excerpt: string }>();
  const at = userMessage.lastIndexOf('\n\nQuestion: ');
  if (at < 0) return out;
  for (const block of userMessage.slice(0, at).split('\n\n')) {
    const m = /^\[(\d+)\] (.*)\n(.*)$/.exec(block);
    if (m) out.set(Number(m[1]), { title: m[2]!, excerpt: m[3]! });
  }
  return out;
}

/** axe-core's serious and critical violations on the page (open shadow roots included). */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
}
