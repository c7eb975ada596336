/**
 * Reading an answer in real Chromium: the card over a chip (title and quoted sentence), the
 * quoted sentence highlighted inside the abstract, claims the server could not verify marked, the
 * new answer kept in view, follow-up suggestions, the widget as a modal dialog on a phone, and
 * axe-core on the page and the widget. Screenshots of a verified and a flagged LLM answer and of
 * the phone widget go to test/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { splitSentences } from '../../src/corpus/sentences.js';
import type { ChatResult } from '../../src/protocol/chat.js';
import { ARTIFACTS, axeViolations, fakeLlm, hostPage, launchBrowser, promptSources, serveHostPages, startApp, type App, type Http } from './helpers.js';

let browser: Browser;
let app: App;
let llmApp: App;
let llm: Http;
let host: Http;
const pages: Record<string, string> = {};
/** What the fake LLM writes: the sentences of source 1's excerpt in its own words, and (when flagging) an invented claim. */
let withInvented = true;
const INVENTED = 'It was also evaluated on the Zorblax-9 benchmark with 97.3% accuracy [1].';
/** How many of source 1's sentences the fake wrote last. */
let written = 0;

beforeAll(async () => {
  [browser, host, llm] = await Promise.all([
    launchBrowser(),
    serveHostPages(pages),
    fakeLlm({
      delayMs: 30,
      chunks: (prompt) => {
        const first = promptSources(prompt).get(1);
        if (!first) return [prompt]; // not an answer request
        const sentences = splitSentences(first.excerpt);
        written = sentences.length;
        return [...sentences.map((s) => `${s} `), ...(withInvented ? [INVENTED] : [])];
      },
    }),
  ]);
  [app, llmApp] = await Promise.all([
    startApp({ ALLOWED_ORIGINS: host.url }),
    startApp({ OPENAI_BASE_URL: `${llm.url}/v1`, OPENAI_API_KEY: 'test', OPENAI_MODEL: 'fake', ALLOWED_ORIGINS: host.url }),
  ]);
  pages.index = hostPage(app.url);
  pages.llm = hostPage(llmApp.url);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.close(), llmApp?.close(), llm?.close(), host?.close()]);
});

async function newPage(url: string, viewport = { width: 1280, height: 860 }) {
  const ctx = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { ctx, page, errors };
}

/**
 * Asks on the page and waits for the answer to finish; returns what the API answers to the same
 * one-question conversation (deterministic: the extractive answer, or the fake LLM's).
 */
async function ask(page: Page, question: string): Promise<ChatResult> {
  const turns = await page.locator('.pc-turn').count();
  await page.locator('#pc-input').fill(question);
  await page.locator('#pc-input').press('Enter');
  await page.locator('.pc-turn').nth(turns).and(page.locator('[data-status=done]')).waitFor();
  const res = await fetch(`${new URL(page.url()).origin}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: question }] }),
  });
  return (await res.json()) as ChatResult;
}

describe('evidence on the page', () => {
  it('a chip shows a card with the title and quoted sentence; clicking it highlights that sentence in the abstract', async () => {
    const { ctx, page, errors } = await newPage(app.url);
    const done = await ask(page, 'How much faster is speculative sampling than ordinary decoding?');
    const c = done.citations[0]!;
    expect(c.quote).toBeDefined();
    const chip = page.locator('.pc-turn').last().locator('.pc-body .pc-chip').first();
    await chip.hover();
    const card = page.locator('.pc-card');
    await card.waitFor({ state: 'visible' });
    await expect(card.locator('.pc-card-title').textContent()).resolves.toBe(c.title);
    await expect(card.locator('.pc-card-quote').textContent()).resolves.toBe(c.quote!.text);
    expect(await chip.getAttribute('aria-describedby')).toBe(await card.getAttribute('id'));
    await page.screenshot({ path: `${ARTIFACTS}evidence-card.png`, animations: 'disabled' });

    await chip.click();
    const mark = page.locator('.pc-paper mark.pc-quote');
    await mark.waitFor();
    await expect(mark.textContent()).resolves.toBe(c.quote!.text);
    // The highlighted sentence sits inside the whole abstract, and is scrolled into view in the panel.
    const abstract = (await (await fetch(`${app.url}/api/papers/${c.id}`)).json()).abstract as string;
    await expect(page.locator('.pc-paper-abstract').textContent()).resolves.toBe(abstract);
    const inView = await mark.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const box = el.closest('.pc-paper-scroll')!.getBoundingClientRect();
      return r.top >= box.top - 1 && r.top < box.bottom;
    });
    expect(inView).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}evidence-quote-highlighted.png`, animations: 'disabled' });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('keeps a new answer in view: after it finishes the turn is on screen, its question at or below the top', async () => {
    const { ctx, page } = await newPage(app.url, { width: 1100, height: 700 });
    for (const q of ['Which papers study neural architecture search?', 'Which papers prune neural networks?', 'What is FT-PFN?']) await ask(page, q);
    const pos = await page.evaluate(() => {
      const scroller = document.querySelector('.pc-scroll')!;
      const turn = [...document.querySelectorAll('.pc-turn')].pop()!;
      const s = scroller.getBoundingClientRect();
      const t = turn.getBoundingClientRect();
      return { scrollTop: scroller.scrollTop, turnTop: t.top - s.top, turnBottom: t.bottom - s.top, height: scroller.clientHeight };
    });
    expect(pos.scrollTop).toBeGreaterThan(0); // the thread scrolled to the new answer
    expect(pos.turnTop).toBeGreaterThanOrEqual(-1); // its question is not above the top
    // Its end is visible, or it fills the view from its question down.
    expect(pos.turnBottom <= pos.height + 1 || pos.turnTop <= 24).toBe(true);
    await ctx.close();
  });

  it('offers follow-up questions under the newest answer; one click asks it', async () => {
    const { ctx, page } = await newPage(app.url);
    const done = await ask(page, 'Which papers study neural architecture search?');
    expect(done.suggestions?.length).toBeGreaterThanOrEqual(2);
    const buttons = page.locator('.pc-turn').last().locator('.pc-suggestion');
    expect(await buttons.allTextContents()).toEqual(done.suggestions);
    await buttons.first().click();
    await page.locator('.pc-turn').nth(1).and(page.locator('[data-status=done]')).waitFor();
    await expect(page.locator('.pc-q').nth(1).textContent()).resolves.toBe(done.suggestions![0]);
    // Only the newest answer offers follow-ups.
    expect(await page.locator('.pc-turn').first().locator('.pc-suggestion').count()).toBe(0);
    await ctx.close();
  });

  it('marks an LLM claim its cited abstract does not bear out, and keeps the verified one plain (screenshots)', async () => {
    withInvented = true;
    const { ctx, page } = await newPage(llmApp.url);
    const done = await ask(page, 'What does speculative sampling do?');
    // The sentences from the excerpt hold; the invented one is kept, marked, as long as the answer
    // is mostly borne out (below 67% of its sentences, it is not used).
    expect(written).toBeGreaterThanOrEqual(3);
    expect(done.mode).toBe('llm');
    expect(done.verified).toBeCloseTo(written / (written + 1), 6);
    expect(done.unsupported?.map((u) => u.sentence)).toEqual([INVENTED]);
    const flagged = page.locator('.pc-turn').last().locator('.pc-unsupported');
    expect(await flagged.count()).toBe(1);
    await expect(flagged.textContent()).resolves.toMatch(/^It was also evaluated on the Zorblax-9 benchmark.*\(not found in the cited abstract\)$/);
    // Visibly marked: a wavy underline, and a warning under the answer.
    expect(await flagged.evaluate((el) => getComputedStyle(el).textDecorationStyle)).toBe('wavy');
    await expect(page.locator('.pc-turn').last().locator('.pc-note--warn').textContent()).resolves.toMatch(/1 claim is marked/);
    await page.screenshot({ path: `${ARTIFACTS}llm-answer-flagged.png`, animations: 'disabled' });

    withInvented = false;
    const verified = await ask(page, 'What does speculative sampling do?');
    expect(verified.mode).toBe('llm');
    expect(verified.verified).toBe(1);
    expect(await page.locator('.pc-turn').last().locator('.pc-unsupported').count()).toBe(0);
    await expect(page.locator('.pc-turn').last().locator('.pc-mode').textContent()).resolves.toBe('Claims checked');
    await page.locator('.pc-turn').last().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}llm-answer-verified.png`, animations: 'disabled' });
    await ctx.close();
  });
});

describe('the widget on a phone', () => {
  it('is a modal dialog: the page behind is inert, Tab stays inside, Escape closes and restores the page (screenshot)', async () => {
    const { ctx, page, errors } = await newPage(`${host.url}/index`, { width: 390, height: 844 });
    await page.locator('paper-chat-widget .pc-launcher').click();
    const panel = page.locator('paper-chat-widget .pc-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('aria-modal')).toBe('true');
    expect(await page.evaluate(() => [...document.body.children].filter((el) => el.tagName !== 'PAPER-CHAT-WIDGET' && el.tagName !== 'SCRIPT').every((el) => el.hasAttribute('inert')))).toBe(true);
    // The text box is 16 px (no zoom on focus in iOS Safari).
    expect(await page.locator('paper-chat-widget .pc-input').evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');

    await page.locator('paper-chat-widget .pc-input').fill('Which papers study neural architecture search?');
    await page.locator('paper-chat-widget .pc-input').press('Enter');
    await page.locator('paper-chat-widget .pc-turn[data-status=done]').waitFor();
    // Chips are at least 24 px targets.
    const chip = await page.locator('paper-chat-widget .pc-chip').first().boundingBox();
    expect(chip!.width).toBeGreaterThanOrEqual(24);
    expect(chip!.height).toBeGreaterThanOrEqual(24);

    const inside = () => page.evaluate(() => {
      const host = document.querySelector('paper-chat-widget')!;
      const active = host.shadowRoot!.activeElement;
      return document.activeElement === host && Boolean(active && host.shadowRoot!.querySelector('.pc-panel')!.contains(active));
    });
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press(i % 7 === 6 ? 'Shift+Tab' : 'Tab');
      expect(await inside(), `focus left the panel after ${i + 1} presses`).toBe(true);
    }
    await page.screenshot({ path: `${ARTIFACTS}widget-phone-modal.png`, animations: 'disabled' });

    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.querySelectorAll('[inert]').length)).toBe(0);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});

describe('accessibility (axe-core: no serious or critical violations)', () => {
  it('on the page: empty, with an answer, and with a paper open', async () => {
    const { ctx, page } = await newPage(app.url);
    expect(await axeViolations(page)).toEqual([]);
    await ask(page, 'Which papers study neural architecture search?');
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('.pc-body .pc-chip').first().click();
    await page.locator('.pc-paper-abstract').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await ctx.close();
  });

  it('in the widget, open with an answer, on a desktop and on a phone', async () => {
    for (const viewport of [{ width: 1280, height: 860 }, { width: 390, height: 844 }]) {
      const { ctx, page } = await newPage(`${host.url}/index`, viewport);
      await page.locator('paper-chat-widget .pc-launcher').click();
      await page.locator('paper-chat-widget .pc-input').fill('What is FT-PFN?');
      await page.locator('paper-chat-widget .pc-input').press('Enter');
      await page.locator('paper-chat-widget .pc-turn[data-status=done]').waitFor();
      expect(await axeViolations(page), `${viewport.width}px`).toEqual([]);
      await ctx.close();
    }
  });
});
