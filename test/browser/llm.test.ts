/**
 * LLM mode against a fake OpenAI-compatible server: the server's attributed sentences stream into
 * the page and the widget, an answer holding HTML shows as text and never runs, an answer the
 * sources do not bear out is replaced by the extractive one, and generation can be stopped and
 * retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ChatResult } from '../../src/protocol/chat.js';
import { answerStates, ARTIFACTS, fakeLlm, hostPage, launchBrowser, promptSources, recordAnswerStates, serveHostPages, startApp, type App, type Http } from './helpers.js';

const XSS_IMG = '<img src=x onerror="window.__xss=1">';
const XSS_SCRIPT = '<script>window.__xss=1</script>';
const XSS_LINK = '[details](javascript:window.__xss=1)';
const FOREIGN_LINK = 'https://example.org/nas-paper';

let browser: Browser;
let app: App;
let llm: Http & { requests: unknown[] };
let host: Http;
const pages: Record<string, string> = {};
let mode: 'xss' | 'slow' | 'unsupported' = 'xss';

/** A line split in a few chunks, as a model streams tokens. */
const tokens = (line: string) => line.match(/[\s\S]{1,24}/g) ?? [line];

/**
 * What the fake model writes, from the excerpts the server sent (`promptSources`): one line per
 * source in its own words (the excerpt, its first words in bold), then a line carrying HTML, a
 * script and a javascript: link among words of a source, and one linking to an address no cited
 * record holds (the server drops it). `slow`: a long answer of the first source's sentence, one
 * line at a time. `unsupported`: claims no source bears out, so the server falls back.
 */
function script(prompt: string): string[] {
  const sources = [...promptSources(prompt)];
  if (!sources.length) return [prompt.split('\n')[0]!];
  const [n1, first] = sources[0]!;
  if (mode === 'slow') return Array.from({ length: 40 }, () => `${first.excerpt}\n`);
  if (mode === 'unsupported') return ['The papers report 512 GPUs and ', '9000 training hours for every search [1].\n', 'Every search also needed 40 TB of memory [1].'];
  const lines = sources.map(([n, s], i) => (i === 0 ? `- **${s.excerpt.split(' ').slice(0, 2).join(' ')}** ${s.excerpt.split(' ').slice(2).join(' ')} [${n}]\n` : `- ${s.excerpt} [${n}]\n`));
  return [...lines, `- ${XSS_IMG} Progressive search ${XSS_SCRIPT} also helps, see ${XSS_LINK} [${n1}].\n`, `- The full text is at ${FOREIGN_LINK} [${n1}].`].flatMap(tokens);
}

beforeAll(async () => {
  [browser, host, llm] = await Promise.all([launchBrowser(), serveHostPages(pages), fakeLlm({ chunks: (prompt) => script(prompt), delayMs: 60 })]);
  app = await startApp({ ALLOWED_ORIGINS: host.url, OPENAI_BASE_URL: `${llm.url}/v1`, OPENAI_API_KEY: 'test', OPENAI_MODEL: 'fake' });
  pages.index = hostPage(app.url);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.close(), llm?.close(), host?.close()]);
});

const QUESTION = 'Which papers speed up neural architecture search?';

/** The answer the server gives the same one-question conversation (the fake model writes the same). */
async function done(question = QUESTION): Promise<ChatResult> {
  const res = await fetch(`${app.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: question }] }) });
  return (await res.json()) as ChatResult;
}

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

    const final = await done();
    expect(final.mode).toBe('llm');
    const body = page.locator('.pc-body');
    const text = (await body.textContent()) ?? '';
    expect(text).toContain(XSS_IMG);
    expect(text).toContain(XSS_SCRIPT);
    expect(await page.locator('.pc-thread img, .pc-thread script').count()).toBe(0);
    // The little markdown that is rendered is built as nodes: **bold** is a <strong>, markers are chips.
    expect(await body.locator('strong').count()).toBe(1);
    expect(await body.locator('.pc-chip').allTextContents()).toEqual([...final.answer.matchAll(/\[(\d+)\]/g)].map((m) => m[1]));
    expect(await page.locator('.pc-mode').count()).toBe(0); // an LLM answer, not extractive
    // No link: a javascript: "link" stays text, and the sentence linking to an address no cited
    // record holds was dropped by the server (answers.test.ts checks a URL that is a record's).
    expect(await body.locator('a').count()).toBe(0);
    expect(text).toContain(XSS_LINK);
    expect(text).not.toContain(FOREIGN_LINK);
    expect(final.answer).not.toContain(FOREIGN_LINK);
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
    expect(text).not.toContain(FOREIGN_LINK);
    expect(await page.evaluate(() => document.querySelector('paper-chat-widget')!.shadowRoot!.querySelectorAll('img, script').length)).toBe(0);
    expect(await page.locator('paper-chat-widget .pc-body .pc-chip').allTextContents()).toEqual([...(await done()).answer.matchAll(/\[(\d+)\]/g)].map((m) => m[1]));
    await page.waitForTimeout(100);
    expect(await xss(page)).toBeUndefined();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('re-render from the done event: an answer the sources do not bear out is replaced by the extractive one, with a subtle note', async () => {
    mode = 'unsupported';
    const { ctx, page } = await newPage(app.url);
    await recordAnswerStates(page);
    await page.locator('#pc-input').fill(QUESTION);
    await page.locator('#pc-input').press('Enter');
    await page.locator('.pc-turn[data-status=done]').waitFor();
    const states = await answerStates(page);
    // The server streamed the claim it checked (marked unsupported), then gave up on the answer.
    expect(states.some((s) => s.status === 'streaming' && s.text.includes('512 GPUs'))).toBe(true);
    const final = await done();
    expect(final).toMatchObject({ mode: 'extractive', fallback: 'the sources bear out none of the LLM answer' });
    const turn = page.locator('.pc-turn');
    await expect(turn.locator('.pc-body').textContent()).resolves.not.toContain('512 GPUs');
    expect(await turn.locator('.pc-body .pc-chip').count()).toBeGreaterThan(0);
    const note = turn.locator('.pc-note');
    await expect(note.textContent()).resolves.toContain(final.fallback!);
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
    // Each line the model writes is one checked sentence, cited [1]: stop after the third.
    await expect.poll(async () => (await page.locator('.pc-body .pc-chip').count()) >= 3, { timeout: 20_000 }).toBe(true);
    await send.click();
    await page.locator('.pc-turn[data-status=stopped]').waitFor();
    await expect(send.getAttribute('aria-label')).resolves.toBe('Send question');
    const partial = (await page.locator('.pc-body').textContent()) ?? '';
    const shown = await page.locator('.pc-body .pc-chip').count();
    expect(shown).toBeGreaterThanOrEqual(3);
    expect(shown).toBeLessThan(40);
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
