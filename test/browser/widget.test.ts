/**
 * The widget (`GET /widget.js`) embedded in pages served from other origins, in real headless
 * Chromium against the real app (extractive answers).
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { answerStates, ARTIFACTS, hostPage, launchBrowser, recordAnswerStates, serveHostPages, startApp, type App, type Http } from './helpers.js';

let browser: Browser;
let app: App;
/** The allowed host origin, and one that is not on ALLOWED_ORIGINS. */
let host: Http;
let stranger: Http;
const pages: Record<string, string> = {};
const HOSTILE = '* { color: red !important; font-size: 40px !important; font-family: serif !important; line-height: 3 !important; margin: 7px !important; padding: 5px !important; }';

beforeAll(async () => {
  [browser, host, stranger] = await Promise.all([launchBrowser(), serveHostPages(pages), serveHostPages(pages)]);
  app = await startApp({ ALLOWED_ORIGINS: host.url });
  Object.assign(pages, {
    index: hostPage(app.url),
    hostile: hostPage(app.url, { css: HOSTILE }),
    bare: hostPage(app.url, { widget: false }),
    left: hostPage(app.url, { attrs: 'data-position="left" data-accent="#e11d48" data-title="Research assistant"' }),
  });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.close(), host?.close(), stranger?.close()]);
});

interface Done {
  answer: string;
  citations: { n: number; id: string; title: string }[];
}

async function apiAnswer(question: string): Promise<Done> {
  const res = await fetch(`${app.url}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: question }] }),
  });
  return (await res.json()) as Done;
}

async function open(path: string, opts: { colorScheme?: 'light' | 'dark'; origin?: Http; viewport?: { width: number; height: number } } = {}) {
  const ctx: BrowserContext = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 860 }, colorScheme: opts.colorScheme ?? 'light', reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${(opts.origin ?? host).url}/${path}`);
  if (path !== 'bare') await page.waitForFunction(() => Boolean(document.querySelector('paper-chat-widget')?.shadowRoot));
  return { ctx, page, errors };
}

/** Playwright's CSS locators pierce open shadow roots. */
const w = (page: Page, selector: string) => page.locator(`paper-chat-widget ${selector}`);
const shadowActive = (page: Page) => page.evaluate(() => document.querySelector('paper-chat-widget')!.shadowRoot!.activeElement?.getAttribute('id') ?? document.querySelector('paper-chat-widget')!.shadowRoot!.activeElement?.className ?? null);

async function askInWidget(page: Page, question: string) {
  await w(page, '#pcw-input').fill(question);
  await w(page, '#pcw-input').press('Enter');
  await w(page, '.pc-turn[data-status=done]').last().waitFor();
}

describe('widget', () => {
  it('is one small script that any origin may load', async () => {
    const res = await fetch(`${app.url}/widget.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const js = await res.text();
    expect(gzipSync(js).length).toBeLessThanOrEqual(20 * 1024);
  });

  it('opens from its launcher, streams an answer from its own origin, and shows a cited abstract', async () => {
    const { ctx, page, errors } = await open('index');
    // Nothing added to the host document but the widget's own element.
    expect(await page.evaluate(() => [document.head.querySelectorAll('style, link').length, document.body.lastElementChild?.tagName])).toEqual([1, 'PAPER-CHAT-WIDGET']);
    expect(await page.evaluate(() => typeof (window as unknown as { PaperChat?: { ask?: unknown } }).PaperChat?.ask)).toBe('function');

    const launcher = w(page, '.pc-launcher');
    await expect(launcher.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(launcher.getAttribute('aria-label')).resolves.toBe('Open Ask the papers');
    await expect(w(page, '.pc-panel').isHidden()).resolves.toBe(true);
    await launcher.click();
    await expect(launcher.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(w(page, '.pc-panel').isVisible()).resolves.toBe(true);
    await expect(w(page, '.pc-w-title').textContent()).resolves.toBe('Ask the papers');
    expect(await shadowActive(page)).toBe('pcw-input');

    await recordAnswerStates(page, 'paper-chat-widget');
    const question = 'Which papers speed up neural architecture search?';
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes('/api/chat')), askInWidget(page, question)]);
    expect(response.url()).toBe(`${app.url}/api/chat`);
    expect(response.headers()['content-type']).toContain('text/event-stream');
    const done = await apiAnswer(question);

    const states = await answerStates(page);
    expect(states.some((s) => s.status === 'streaming' && s.busy === 'true')).toBe(true);
    expect(states[states.length - 1]).toMatchObject({ status: 'done', busy: 'false' });
    expect(await page.evaluate(() => window.scrollY)).toBe(0); // the host page did not scroll
    const turn = w(page, '.pc-turn').last();
    await expect(turn.locator('.pc-q').textContent()).resolves.toBe(question);
    const markers = [...done.answer.matchAll(/\[(\d+)\]/g)].map((m) => m[1]);
    expect(await turn.locator('.pc-body .pc-chip').allTextContents()).toEqual(markers);

    const cited = done.citations[1] ?? done.citations[0]!;
    const chip = turn.locator('.pc-body .pc-chip').filter({ hasText: new RegExp(`^${cited.n}$`) }).first();
    await chip.click();
    await w(page, '.pc-paper-abstract').first().waitFor();
    const paper = (await (await fetch(`${app.url}/api/papers/${encodeURIComponent(cited.id)}`)).json()) as { title: string; abstract: string };
    await expect(w(page, '.pc-paper-title').textContent()).resolves.toBe(paper.title);
    expect((await w(page, '.pc-paper-abstract').allTextContents()).join('\n\n')).toBe(paper.abstract);
    // Back to the conversation (also Escape), focus returns to the chip.
    await w(page, '.pc-paper').getByRole('button', { name: 'Back to the conversation' }).click();
    await expect(w(page, '.pc-paper').isHidden()).resolves.toBe(true);
    expect(await shadowActive(page)).toBe('pc-chip');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('keeps the conversation across a reload; PaperChat.open/close/ask work; Escape closes', async () => {
    const { ctx, page } = await open('index');
    const question = 'How can neural surrogates replace expensive physics simulations?';
    await page.evaluate((q) => (window as unknown as { PaperChat: { ask(q: string): void } }).PaperChat.ask(q), question);
    await expect(w(page, '.pc-panel').isVisible()).resolves.toBe(true);
    await w(page, '.pc-turn[data-status=done]').waitFor();
    await expect(w(page, '.pc-q').textContent()).resolves.toBe(question);
    const body = await w(page, '.pc-body').textContent();
    expect(await w(page, '.pc-body .pc-chip').count()).toBeGreaterThan(0);

    await page.reload();
    await w(page, '.pc-turn[data-status=done]').waitFor();
    await expect(w(page, '.pc-panel').isVisible()).resolves.toBe(true); // it was open
    await expect(w(page, '.pc-q').textContent()).resolves.toBe(question);
    await expect(w(page, '.pc-body').textContent()).resolves.toBe(body);
    expect(await w(page, '.pc-body .pc-chip').count()).toBeGreaterThan(0);

    // A follow-up after the reload sends the restored history.
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/api/chat')),
      page.evaluate(() => (window as unknown as { PaperChat: { ask(q: string): void } }).PaperChat.ask('Which of these is the fastest?')),
    ]);
    const sent = JSON.parse(req.postData() ?? '{}') as { messages: { role: string; content: string }[]; stream: boolean };
    expect(sent.stream).toBe(true);
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent.messages[0]!.content).toBe(question);
    await w(page, '.pc-turn:nth-child(2)[data-status=done]').waitFor();

    await page.evaluate(() => (window as unknown as { PaperChat: { close(): void } }).PaperChat.close());
    await expect(w(page, '.pc-panel').isHidden()).resolves.toBe(true);
    await page.evaluate(() => (window as unknown as { PaperChat: { open(): void } }).PaperChat.open());
    await expect(w(page, '.pc-panel').isVisible()).resolves.toBe(true);
    expect(await shadowActive(page)).toBe('pcw-input');
    await page.keyboard.press('Escape');
    await expect(w(page, '.pc-panel').isHidden()).resolves.toBe(true);
    expect(await shadowActive(page)).toBe('pc-launcher');

    // New conversation empties it (and the stored copy).
    await page.keyboard.press('Enter'); // the focused launcher opens the panel again
    await w(page, '.pc-panel').getByRole('button', { name: 'New conversation' }).click();
    expect(await w(page, '.pc-turn').count()).toBe(0);
    await page.reload();
    await w(page, '.pc-empty').waitFor();
    expect(await w(page, '.pc-turn').count()).toBe(0);
    await ctx.close();
  });

  it('is not restyled by hostile host CSS, and does not restyle the host', async () => {
    const PROPS = ['color', 'font-size', 'font-family', 'font-weight', 'line-height', 'background-color', 'margin-top', 'margin-left', 'padding-top', 'padding-left', 'border-top-width', 'border-radius', 'width', 'height', 'display', 'position', 'letter-spacing', 'text-transform', 'text-align'];
    const SELECTORS = ['.pc-launcher', '.pc-panel', '.pc-w-title', '.pc-w-head button', '.pc-input', '.pc-send', '.pc-hint', '.pc-q', '.pc-body', '.pc-body .pc-chip', '.pc-source', '.pc-action'];
    async function widgetStyles(path: string) {
      const { ctx, page } = await open(path);
      await page.evaluate(() => (window as unknown as { PaperChat: { ask(q: string): void } }).PaperChat.ask('What makes adversarial examples transfer between models?'));
      await w(page, '.pc-turn[data-status=done]').waitFor();
      const styles = await page.evaluate(
        ([sels, props]) => {
          const root = document.querySelector('paper-chat-widget')!.shadowRoot!;
          return Object.fromEntries(
            sels.map((sel) => {
              const el = root.querySelector(sel);
              if (!el) return [sel, null];
              const cs = getComputedStyle(el);
              return [sel, Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]))];
            }),
          );
        },
        [SELECTORS, PROPS] as const,
      );
      if (path === 'hostile') await page.screenshot({ path: `${ARTIFACTS}widget-hostile-host.png`, animations: 'disabled' });
      await ctx.close();
      return styles as Record<string, Record<string, string> | null>;
    }
    const [plain, hostile] = await Promise.all([widgetStyles('index'), widgetStyles('hostile')]);
    for (const sel of SELECTORS) expect(plain[sel], sel).not.toBeNull();
    expect(hostile).toEqual(plain);
    for (const sel of SELECTORS) {
      expect(hostile[sel]!.color, sel).not.toBe('rgb(255, 0, 0)');
      expect(hostile[sel]!['font-size'], sel).not.toBe('40px');
    }
    // The host element itself stays unstyled by the host page's `*` rule.
    const { ctx, page } = await open('hostile');
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('paper-chat-widget')!).fontSize)).not.toBe('40px');
    await ctx.close();

    // The host page's computed styles are the same with and without the widget (open, with an answer).
    async function hostStyles(path: string) {
      const { ctx, page } = await open(path);
      if (path !== 'bare') {
        await page.evaluate(() => (window as unknown as { PaperChat: { ask(q: string): void } }).PaperChat.ask('What makes adversarial examples transfer between models?'));
        await w(page, '.pc-turn[data-status=done]').waitFor();
      }
      const styles = await page.evaluate(() =>
        ['html', 'body', '#host-title', '#host-p', '#host-button', '#host-link', '#host-list', '#host-list li', '#host-end'].map((sel) => {
          const cs = getComputedStyle(document.querySelector(sel)!);
          const out: Record<string, string> = { sel };
          for (let i = 0; i < cs.length; i++) out[cs[i]!] = cs.getPropertyValue(cs[i]!);
          return out;
        }),
      );
      await ctx.close();
      return styles;
    }
    const [bare, withWidget] = await Promise.all([hostStyles('bare'), hostStyles('index')]);
    expect(Object.keys(bare[0]!).length).toBeGreaterThan(200);
    expect(withWidget).toEqual(bare);
  });

  it('renders a question holding HTML as text and never runs it', async () => {
    const { ctx, page, errors } = await open('index');
    const payload = `<img src=x onerror="window.__xss=1"><script>window.__xss=1</script> adversarial examples`;
    await page.evaluate((q) => (window as unknown as { PaperChat: { ask(q: string): void } }).PaperChat.ask(q), payload);
    await w(page, '.pc-turn[data-status=done], .pc-turn[data-status=error]').first().waitFor();
    await expect(w(page, '.pc-q').textContent()).resolves.toBe(payload);
    expect(await page.evaluate(() => document.querySelector('paper-chat-widget')!.shadowRoot!.querySelectorAll('.pc-thread img, .pc-thread script').length)).toBe(0);
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('on an origin that is not allowed, shows a clear error (the API answers 403)', async () => {
    // The server refuses the origin outright.
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${app.url}/api/chat`, { method: 'POST', headers: { Origin: stranger.url, 'Content-Type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ messages: [{ role: 'user', content: 'neural architecture search' }] }));
    });
    expect(status.status).toBe(403);
    expect(JSON.parse(status.body)).toMatchObject({ error: { code: 'origin_not_allowed' } });

    const { ctx, page } = await open('index', { origin: stranger });
    // A direct fetch from that origin fails too.
    const direct = await page.evaluate(async (url) => {
      try {
        const r = await fetch(`${url}/api/papers/x`);
        return `status ${r.status}`;
      } catch (e) {
        return `blocked: ${(e as Error).name}`;
      }
    }, app.url);
    expect(direct).toBe('blocked: TypeError');

    await page.evaluate(() => (window as unknown as { PaperChat: { ask(q: string): void } }).PaperChat.ask('Which papers speed up neural architecture search?'));
    await w(page, '.pc-turn[data-status=error]').waitFor();
    const message = (await w(page, '.pc-state').textContent()) ?? '';
    expect(message).toContain('does not accept requests from this site');
    expect(message).toContain(stranger.url);
    expect(message).toContain('ALLOWED_ORIGINS');
    await expect(w(page, '.pc-turn').getByRole('button', { name: 'Retry' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}widget-origin-refused.png`, animations: 'disabled' });
    await ctx.close();
  });

  it('follows data-position and data-accent, and looks right light and dark (screenshots)', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { ctx, page } = await open('index', { colorScheme });
      await w(page, '.pc-launcher').click();
      await page.screenshot({ path: `${ARTIFACTS}widget-empty-${colorScheme}.png`, animations: 'disabled' });
      await askInWidget(page, 'Which papers speed up neural architecture search?');
      await page.screenshot({ path: `${ARTIFACTS}widget-answer-${colorScheme}.png`, animations: 'disabled' });
      await w(page, '.pc-body .pc-chip').first().click();
      await w(page, '.pc-paper-abstract').first().waitFor();
      await page.screenshot({ path: `${ARTIFACTS}widget-paper-${colorScheme}.png`, animations: 'disabled' });
      if (colorScheme === 'dark') {
        expect(await page.evaluate(() => getComputedStyle(document.querySelector('paper-chat-widget')!.shadowRoot!.querySelector('.pc-panel')!).backgroundColor)).toBe('rgb(21, 23, 28)');
      }
      await ctx.close();
    }
    const { ctx, page } = await open('left');
    const box = await w(page, '.pc-launcher').boundingBox();
    expect(box!.x).toBeLessThan(100);
    expect(await w(page, '.pc-launcher').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(225, 29, 72)');
    await w(page, '.pc-launcher').click();
    await expect(w(page, '.pc-w-title').textContent()).resolves.toBe('Research assistant');
    await page.screenshot({ path: `${ARTIFACTS}widget-left-accent.png`, animations: 'disabled' });
    await ctx.close();

    const phone = await open('index', { viewport: { width: 390, height: 780 } });
    await phone.page.evaluate(() => (window as unknown as { PaperChat: { ask(q: string): void } }).PaperChat.ask('How is Bayesian optimization used to tune hyperparameters?'));
    await w(phone.page, '.pc-turn[data-status=done]').waitFor();
    const panel = await w(phone.page, '.pc-panel').boundingBox();
    expect(panel).toMatchObject({ x: 0, y: 0, width: 390, height: 780 });
    await phone.page.screenshot({ path: `${ARTIFACTS}widget-phone.png`, animations: 'disabled' });
    await phone.ctx.close();
  });
});
