/**
 * LLM mode against a fake OpenAI-compatible server: tokens stream into the page and the widget,
 * an answer holding HTML shows as text and never runs, and generation can be stopped and retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { answerStates, ARTIFACTS, fakeLlm, hostPage, launchBrowser, recordAnswerStates, serveHostPages, startApp, type App, type Http } from './helpers.js';

const XSS_IMG = '<img src=x onerror="window.__xss=1">';
const XSS_SCRIPT = '<script>window.__xss=1</script>';
/** The fake model's answer: real citations around two payloads, in small chunks. */
const XSS_LINK = '[details](javascript:window.__xss=1)';
const XSS_CHUNKS = [
  'Neural architecture search ',
  'gets cheaper with ',
  '**graph hypernetworks** [1]. ',
  XSS_IMG,
  ' Progressive ',
  'search ',
  XSS_SCRIPT,
  ' also helps [2]. ',
  `See https://example.org/nas-paper or ${XSS_LINK}.`,
];
const SLOW_CHUNKS = Array.from({ length: 40 }, (_, i) => (i === 0 ? 'Hypernetworks [1] ' : `word${i} `));

let browser: Browser;
let app: App;
let llm: Http & { requests: unknown[] };
let host: Http;
const pages: Record<string, string> = {};
let mode: 'xss' | 'slow' | 'uncited' = 'xss';
const UNCITED_CHUNKS = ['The papers ', 'discuss this ', 'at length, ', 'without citing anything.'];

beforeAll(async () => {
  [browser, host, llm] = await Promise.all([
    launchBrowser(),
    serveHostPages(pages),
    fakeLlm({ chunks: () => ({ xss: XSS_CHUNKS, slow: SLOW_CHUNKS, uncited: UNCITED_CHUNKS })[mode], delayMs: 60 }),
  ]);
  app = await startApp({ ALLOWED_ORIGINS: host.url, OPENAI_BASE_URL: `${llm.url}/v1`, OPENAI_API_KEY: 'test', OPENAI_MODEL: 'fake' });
  pages.index = hostPage(app.url);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.close(), llm?.close(), host?.close()]);
});

const QUESTION = 'Which papers speed up neural architecture search?';

async function newPage(url: string, colorScheme: 'light' | 'dark' = 'light') {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { ctx, page, errors };
}

const xss = (page: Page) => page.evaluate(() => (window as unknown as { __xss?: number }).__xss);

/** The answer streamed in pieces: several growing partial texts, marked busy, before the final one. */
async function expectStreamed(page: Page) {
  const states = await answerStates(page);
  const partial = states.filter((s) => s.status === 'streaming' && s.text.length > 0);
  const lengths = [...new Set(partial.map((s) => s.text.length))];
  expect(lengths.length).toBeGreaterThanOrEqual(3);
  expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
  expect(partial.every((s) => s.busy === 'true')).toBe(true);
  expect(states[states.length - 1]).toMatchObject({ status: 'done', busy: 'false' });
}

describe('LLM answers', () => {
  it('stream into the page token by token; HTML in the answer shows as text and never runs', async () => {
    mode = 'xss';
    const { ctx, page, errors } = await newPage(app.url);
    await recordAnswerStates(page);
    await page.locator('#pc-input').fill(QUESTION);
    await page.locator('#pc-input').press('Enter');
    await page.locator('.pc-turn[data-status=done]').waitFor();
    await expectStreamed(page);

    const body = page.locator('.pc-body');
    const text = (await body.textContent()) ?? '';
    expect(text).toContain(XSS_IMG);
    expect(text).toContain(XSS_SCRIPT);
    expect(await page.locator('.pc-thread img, .pc-thread script').count()).toBe(0);
    // The little markdown that is rendered is built as nodes: **bold** is a <strong>, markers are chips.
    await expect(body.locator('strong').textContent()).resolves.toBe('graph hypernetworks');
    expect(await body.locator('.pc-chip').allTextContents()).toEqual(['1', '2']);
    expect(await page.locator('.pc-mode').count()).toBe(0); // an LLM answer, not extractive
    // No link: the URL is not in a cited paper's record (answers.test.ts checks one that is), and a
    // javascript: "link" stays text.
    expect(await body.locator('a').count()).toBe(0);
    expect(text).toContain('See https://example.org/nas-paper or');
    expect(text).toContain(XSS_LINK);
    await page.screenshot({ path: `${ARTIFACTS}page-llm-xss.png`, animations: 'disabled' });
    await page.waitForTimeout(100);
    expect(await xss(page)).toBeUndefined();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('stream into the widget on another origin, where HTML in the answer stays text too', async () => {
    mode = 'xss';
    const { ctx, page, errors } = await newPage(`${host.url}/index`);
    await page.waitForFunction(() => Boolean(document.querySelector('paper-chat-widget')?.shadowRoot));
    await recordAnswerStates(page, 'paper-chat-widget');
    await page.evaluate((q) => (window as unknown as { PaperChat: { ask(q: string): void } }).PaperChat.ask(q), QUESTION);
    await page.locator('paper-chat-widget .pc-turn[data-status=done]').waitFor();
    await expectStreamed(page);
    const text = (await page.locator('paper-chat-widget .pc-body').textContent()) ?? '';
    expect(text).toContain(XSS_IMG);
    expect(text).toContain(XSS_SCRIPT);
    expect(await page.evaluate(() => document.querySelector('paper-chat-widget')!.shadowRoot!.querySelectorAll('img, script').length)).toBe(0);
    expect(await page.locator('paper-chat-widget .pc-body .pc-chip').allTextContents()).toEqual(['1', '2']);
    await page.waitForTimeout(100);
    expect(await xss(page)).toBeUndefined();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('re-render from the done event: an uncited LLM answer is replaced by the extractive one, with a subtle note', async () => {
    mode = 'uncited';
    const { ctx, page } = await newPage(app.url);
    await recordAnswerStates(page);
    await page.locator('#pc-input').fill(QUESTION);
    await page.locator('#pc-input').press('Enter');
    await page.locator('.pc-turn[data-status=done]').waitFor();
    const states = await answerStates(page);
    expect(states.some((s) => s.status === 'streaming' && s.text.includes('discuss this'))).toBe(true);
    const turn = page.locator('.pc-turn');
    await expect(turn.locator('.pc-body').textContent()).resolves.not.toContain('discuss this');
    expect(await turn.locator('.pc-body .pc-chip').count()).toBeGreaterThan(0);
    const note = turn.locator('.pc-note');
    await expect(note.textContent()).resolves.toContain('cited none of the sources');
    const style = await note.evaluate((el) => ({ size: parseFloat(getComputedStyle(el).fontSize), body: parseFloat(getComputedStyle(el.closest('.pc-a')!.querySelector('.pc-body')!).fontSize) }));
    expect(style.size).toBeLessThan(style.body);
    await page.screenshot({ path: `${ARTIFACTS}page-llm-fallback.png`, animations: 'disabled' });
    await ctx.close();
  });

  it('can be stopped mid-answer and retried', async () => {
    mode = 'slow';
    const { ctx, page } = await newPage(app.url);
    await page.locator('#pc-input').fill(QUESTION);
    await page.locator('#pc-input').press('Enter');
    const send = page.locator('.pc-send');
    await expect(send.getAttribute('aria-label')).resolves.toBe('Stop generating');
    await page.locator('.pc-body').filter({ hasText: 'word3' }).waitFor();
    await send.click();
    await page.locator('.pc-turn[data-status=stopped]').waitFor();
    await expect(send.getAttribute('aria-label')).resolves.toBe('Send question');
    const partial = (await page.locator('.pc-body').textContent()) ?? '';
    expect(partial).toContain('word3');
    expect(partial).not.toContain('word39');
    await expect(page.locator('.pc-state').textContent()).resolves.toBe('Stopped');
    await page.waitForTimeout(300);
    expect(await page.locator('.pc-body').textContent()).toBe(partial); // nothing more arrives

    mode = 'xss';
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.pc-turn[data-status=done]').waitFor();
    expect(await page.locator('.pc-turn').count()).toBe(1);
    await expect(page.locator('.pc-body').textContent()).resolves.toContain('also helps');
    await ctx.close();
  });
});
