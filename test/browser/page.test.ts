/** The chat page (`GET /`) in real headless Chromium against the real app (extractive answers). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ChatResult } from '../../src/protocol/chat.js';
import { answerStates, ARTIFACTS, launchBrowser, recordAnswerStates, startApp, type App } from './helpers.js';

let browser: Browser;
let app: App;

beforeAll(async () => {
  [browser, app] = await Promise.all([launchBrowser(), startApp()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

type Done = ChatResult;

/**
 * What the API answers to a one-question conversation (extractive answers are deterministic, so
 * this is what the page received).
 */
async function apiAnswer(question: string): Promise<Done> {
  const res = await fetch(`${app.url}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: question }] }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Done;
}

async function paperFromApi(id: string) {
  const res = await fetch(`${app.url}/api/papers/${encodeURIComponent(id)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; title: string; abstract: string };
}

async function newPage(colorScheme: 'light' | 'dark' = 'light', viewport = { width: 1280, height: 860 }): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.url);
  return { ctx, page, errors };
}

/** Types a question and sends it with Enter; resolves with the API's answer to it. */
async function ask(page: Page, question: string): Promise<Done> {
  await page.locator('#pc-input').fill(question);
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/chat')), page.locator('#pc-input').press('Enter')]);
  expect(response.headers()['content-type']).toContain('text/event-stream');
  return apiAnswer(question);
}

const lastTurn = (page: Page) => page.locator('.pc-turn').last();

describe('chat page', () => {
  it('serves the page with a CSP and renders the empty state with examples and a labelled composer', async () => {
    const res = await fetch(app.url);
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const { ctx, page, errors } = await newPage();
    await expect(page.title()).resolves.toBe('Paper chat');
    expect(await page.locator('.pc-example').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.pc-example').allTextContents()).toContain('Which papers speed up neural architecture search?');
    // Every control has an accessible name; the input has a label; the composer is focused.
    const unnamed = await page.$$eval('button, textarea', (els) =>
      els.filter((e) => !(e.getAttribute('aria-label') || e.textContent?.trim() || (e.id && document.querySelector(`label[for="${e.id}"]`)))).map((e) => e.outerHTML),
    );
    expect(unnamed).toEqual([]);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pc-input');
    expect(await page.locator('[role=status][aria-live=polite]').count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}page-empty-light.png`, animations: 'disabled' });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('streams an answer whose citation chips open the cited abstract', async () => {
    const { ctx, page, errors } = await newPage();
    await recordAnswerStates(page);
    const response = await ask(page, 'Which papers speed up neural architecture search?');
    const done = response;
    expect(done.abstained).toBe(false);
    expect(done.citations.length).toBeGreaterThan(0);

    const turn = lastTurn(page);
    await page.locator('.pc-turn[data-status=done]').waitFor();
    const states = await answerStates(page);
    // An intermediate state was shown (searching / partial text, marked busy for the live region) before the final answer.
    const streaming = states.filter((s) => s.status === 'streaming');
    expect(streaming.length).toBeGreaterThan(0);
    expect(streaming.every((s) => s.busy === 'true')).toBe(true);
    const final = states[states.length - 1]!;
    expect(final.status).toBe('done');
    expect(final.busy).toBe('false');
    // It grew towards the final text (all of it may arrive before the done event does).
    expect(streaming.every((s) => s.text.length <= final.text.length)).toBe(true);
    expect(streaming.some((s) => s.text.length < final.text.length)).toBe(true);
    // The live region sits on the answer body.
    await expect(turn.locator('.pc-body').getAttribute('aria-live')).resolves.toBe('polite');

    // The rendered answer is done.answer with markers turned into chips.
    const chips = turn.locator('.pc-body .pc-chip');
    const markers = [...done.answer.matchAll(/\[(\d+)\]/g)].map((m) => m[1]);
    expect(await chips.allTextContents()).toEqual(markers);
    const bodyText = (await turn.locator('.pc-body').textContent()) ?? '';
    expect(bodyText).toContain(done.answer.split('[')[0]!.replace(/^- /, '').trim().slice(0, 40));
    // Sources under the answer list exactly the citations.
    expect(await turn.locator('.pc-sources .pc-source-title').allTextContents()).toEqual(done.citations.map((c) => c.title));

    // A chip opens the right abstract, with focus moved to the panel.
    const cited = done.citations[done.citations.length - 1]!;
    const chip = chips.filter({ hasText: new RegExp(`^${cited.n}$`) }).first();
    await chip.click();
    const panel = page.locator('.pc-paper');
    await panel.locator('.pc-paper-abstract').first().waitFor();
    const paper = await paperFromApi(cited.id);
    await expect(panel.locator('.pc-paper-title').textContent()).resolves.toBe(paper.title);
    expect((await panel.locator('.pc-paper-abstract').allTextContents()).join('\n\n')).toBe(paper.abstract);
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('pc-paper-title');
    await page.screenshot({ path: `${ARTIFACTS}page-answer-light.png`, animations: 'disabled' });

    // Escape closes it and returns focus to the chip.
    await page.keyboard.press('Escape');
    await expect(panel.isHidden()).resolves.toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Source ${cited.n}: ${cited.title}`);

    // A source in the list under the answer opens its paper too.
    const first = done.citations[0]!;
    await turn.locator('.pc-sources .pc-source').first().click();
    await panel.locator('.pc-paper-abstract').first().waitFor();
    await expect(panel.locator('.pc-paper-title').textContent()).resolves.toBe((await paperFromApi(first.id)).title);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('keeps the conversation across a reload and starts a new one on request', async () => {
    const { ctx, page } = await newPage();
    await ask(page, 'How is Bayesian optimization used to tune hyperparameters?');
    await page.locator('.pc-turn[data-status=done]').waitFor();
    const before = await lastTurn(page).locator('.pc-body').textContent();
    await page.reload();
    await page.locator('.pc-turn[data-status=done]').waitFor();
    await expect(lastTurn(page).locator('.pc-q').textContent()).resolves.toBe('How is Bayesian optimization used to tune hyperparameters?');
    await expect(lastTurn(page).locator('.pc-body').textContent()).resolves.toBe(before);
    await page.getByRole('button', { name: 'New conversation' }).click();
    expect(await page.locator('.pc-turn').count()).toBe(0);
    await expect(page.locator('.pc-empty').isVisible()).resolves.toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pc-input');
    await page.reload();
    expect(await page.locator('.pc-turn').count()).toBe(0);
    await ctx.close();
  });

  it('sends with Enter, adds a line with Shift+Enter, and asks an example question on click', async () => {
    const { ctx, page } = await newPage();
    const input = page.locator('#pc-input');
    await input.click();
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    await expect(input.inputValue()).resolves.toBe('first line\nsecond line');
    expect(await page.locator('.pc-turn').count()).toBe(0);
    await input.fill('');
    // Full keyboard use: Tab reaches the example questions; Enter on one asks it.
    const example = page.locator('.pc-example').first();
    const q = (await example.textContent())!;
    await example.focus();
    await page.keyboard.press('Enter');
    await page.locator('.pc-turn[data-status=done]').waitFor();
    await expect(lastTurn(page).locator('.pc-q').textContent()).resolves.toBe(q);
    await expect(page.locator('.pc-empty').isHidden()).resolves.toBe(true);
    await ctx.close();
  });

  it('copies an answer with its sources', async () => {
    const { ctx, page } = await newPage();
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    const done = await (await ask(page, 'What makes adversarial examples transfer between models?'));
    await page.locator('.pc-turn[data-status=done]').waitFor();
    await lastTurn(page).getByRole('button', { name: 'Copy the answer with its references' }).click();
    await lastTurn(page).getByText('Copied').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.startsWith(done.answer)).toBe(true);
    // A numbered reference list: each cited title with the sentence the answer rests on.
    expect(copied).toContain('\n\nReferences:\n');
    for (const c of done.citations) expect(copied).toContain(`[${c.n}] ${c.title}\n    “${c.quote!.text}”`);
    await ctx.close();
  });

  it('shows an abstained answer as a muted card; a near miss lists related papers or cites the paper asked about, a question about nothing lists none', async () => {
    const { ctx, page } = await newPage('dark');
    const off = await ask(page, 'Who won the last football world cup?');
    expect(off.abstained).toBe(true);
    await page.locator('.pc-turn[data-status=done]').waitFor();
    expect(off.related ?? []).toEqual([]);
    expect(await lastTurn(page).locator('.pc-sources--related').count()).toBe(0);

    const done = await ask(page, 'When was the wide residual networks paper published?');
    expect(done.abstained).toBe(true);
    expect(done.abstention?.kind).toBe('not_stated');
    const turn = lastTurn(page);
    await page.locator('.pc-turn[data-status=done]').nth(1).waitFor();
    await expect(turn.getAttribute('class')).resolves.toContain('pc-turn--abstained');
    // The state line names the kind (a server that names none: not covered).
    const kind = done.abstention?.kind ?? 'not_covered';
    await expect(turn.getAttribute('data-kind')).resolves.toBe(kind);
    await expect(turn.locator('.pc-state').textContent()).resolves.toBe(kind === 'not_stated' ? 'Not stated in the paper' : 'These papers don’t answer that');
    if (kind === 'not_stated') await expect(turn.locator('.pc-body').textContent()).resolves.toContain(`does not state ${done.abstention!.missing}`);
    expect(await turn.locator('.pc-state svg').count()).toBe(1); // the info icon
    // The paper asked about is cited as [1] (not stated), or the near misses are listed as related.
    expect(await turn.locator('.pc-body .pc-chip').allTextContents()).toEqual([...done.answer.matchAll(/\[(\d+)\]/g)].map((m) => m[1]));
    const related = done.related ?? [];
    expect(related.length + done.citations.length).toBeGreaterThan(0);
    await expect(turn.locator('.pc-list-title').filter({ hasText: /do not answer/ }).count()).resolves.toBe(related.length ? 1 : 0);
    expect(await turn.locator('.pc-sources--related .pc-source-title').allTextContents()).toEqual(related.map((r) => r.title));
    // It looks different from an answer: a bordered, tinted card.
    const style = await turn.locator('.pc-a').evaluate((el) => ({ border: getComputedStyle(el).borderTopStyle, bg: getComputedStyle(el).backgroundColor }));
    expect(style.border).toBe(kind === 'not_covered' ? 'dashed' : 'solid');
    expect(style.bg).not.toBe('rgba(0, 0, 0, 0)');
    const shown = related[0] ?? done.citations[0]!;
    await turn.locator('.pc-source').first().click();
    await page.locator('.pc-paper-abstract').first().waitFor();
    await expect(page.locator('.pc-paper-title').textContent()).resolves.toBe(shown.title);
    await page.keyboard.press('Escape');
    await page.screenshot({ path: `${ARTIFACTS}page-abstained-dark.png`, animations: 'disabled' });
    await ctx.close();
  });

  it('renders a question holding HTML as text and never runs it', async () => {
    const { ctx, page, errors } = await newPage();
    const payload = `<img src=x onerror="window.__xss=1"> and <script>window.__xss=1</script> neural architecture search`;
    await ask(page, payload);
    await page.locator('.pc-turn[data-status=done], .pc-turn[data-status=error]').waitFor();
    await expect(lastTurn(page).locator('.pc-q').textContent()).resolves.toBe(payload);
    expect(await page.locator('.pc-thread img, .pc-thread script').count()).toBe(0);
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('looks right in dark mode and on a phone (screenshots)', async () => {
    const { ctx, page } = await newPage('dark');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(14, 15, 19)');
    await page.screenshot({ path: `${ARTIFACTS}page-empty-dark.png`, animations: 'disabled' });
    await ask(page, 'Which papers speed up neural architecture search?');
    await page.locator('.pc-turn[data-status=done]').waitFor();
    await lastTurn(page).locator('.pc-chip').first().click();
    await page.locator('.pc-paper-abstract').first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}page-answer-dark.png`, animations: 'disabled' });
    await ctx.close();

    const phone = await newPage('light', { width: 390, height: 780 });
    await ask(phone.page, 'How can neural surrogates replace expensive physics simulations?');
    await phone.page.locator('.pc-turn[data-status=done]').waitFor();
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    await phone.page.screenshot({ path: `${ARTIFACTS}page-answer-phone.png`, animations: 'disabled' });
    await phone.ctx.close();
  });
});
