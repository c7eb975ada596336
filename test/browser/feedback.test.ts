/**
 * Feedback and references in real Chromium, on the page and in the widget: 👍/👎 and "wrong
 * citation" send the contract's request and show the choice (aria-pressed) once the server took
 * it; no controls when /health does not offer feedback; "copy as BibTeX / RIS / CSL-JSON" puts
 * every cited paper's reference on the clipboard. The feedback and cite routes are served by
 * contract-routes.ts until the server's own land (issue 19).
 */
import { parse as parseBibtex } from '@retorquere/bibtex-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { ChatResult } from '../../src/protocol/chat.js';
import { startContractApp, type ContractApp } from './contract-routes.js';
import { ARTIFACTS, axeViolations, hostPage, chatScope, launchBrowser, openPage, serveHostPages, type Http } from './helpers.js';

let browser: Browser;
let app: ContractApp;
let host: Http;
const pages: Record<string, string> = {};

beforeAll(async () => {
  [browser, host] = await Promise.all([launchBrowser(), serveHostPages(pages)]);
  app = await startContractApp({ ALLOWED_ORIGINS: host.url });
  pages.index = hostPage(app.url);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.close(), host?.close()]);
});

const open = (url: string) => openPage(browser, url);

const scope = chatScope;

/** Asks in the page or the widget; resolves with the `done` result the browser received. */
async function ask(page: Page, question: string, widget = false): Promise<{ turn: Locator; done: ChatResult }> {
  const root = scope(page, widget);
  const turns = await root.locator('.pc-turn').count();
  if (widget && (await root.locator('.pc-panel').isHidden())) await root.locator('.pc-launcher').click();
  const input = root.locator('.pc-input');
  await input.fill(question);
  const answered = app.answers.length;
  await input.press('Enter');
  const turn = root.locator('.pc-turn').nth(turns);
  await turn.and(root.locator('[data-status=done]')).waitFor();
  await expect.poll(() => app.answers.length).toBe(answered + 1);
  return { turn, done: app.answers[answered]! };
}

const pressed = (l: Locator) => l.getAttribute('aria-pressed');

describe.each([
  ['page', false],
  ['widget', true],
] as const)('feedback in the %s', (where, widget) => {
  const url = () => (widget ? `${host.url}/index` : app.url);

  it('👍/👎 send the answer’s signature and vote, from the keyboard, and show the choice once taken', async () => {
    const { ctx, page, errors } = await open(url());
    const { turn, done } = await ask(page, 'Which papers speed up neural architecture search?', widget);
    expect(done.signature).toMatch(/^[0-9a-f]{64}$/);
    const up = turn.getByRole('button', { name: 'Helpful answer', exact: true });
    const down = turn.getByRole('button', { name: 'Not a helpful answer' });
    await up.waitFor();
    expect([await pressed(up), await pressed(down)]).toEqual(['false', 'false']);
    await expect(turn.getByRole('group', { name: 'Was this answer helpful?' }).count()).resolves.toBe(1);

    const before = app.feedback.length;
    await up.focus();
    const [req] = await Promise.all([page.waitForRequest((r) => r.url() === `${app.url}/api/feedback` && r.method() === 'POST'), page.keyboard.press('Enter')]);
    expect(JSON.parse(req.postData() ?? '')).toEqual({ signature: done.signature, vote: 'up' });
    await turn.locator('.pc-feedback-note').filter({ hasText: 'Thanks for the feedback.' }).waitFor();
    expect([await pressed(up), await pressed(down)]).toEqual(['true', 'false']);
    expect(app.feedback.slice(before)).toEqual([{ signature: done.signature, vote: 'up' }]);
    // Focus stays on the button that was pressed.
    expect(await up.evaluate((el) => (el.getRootNode() as Document | ShadowRoot).activeElement === el)).toBe(true);

    // Pressing it again sends nothing; the other vote replaces it (Space works as well as Enter).
    await page.keyboard.press('Enter');
    await down.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => app.feedback.length).toBe(before + 2);
    expect(app.feedback[before + 1]).toEqual({ signature: done.signature, vote: 'down' });
    await expect.poll(() => pressed(down)).toBe('true');
    expect(await pressed(up)).toBe('false');

    // The choice is kept with the conversation.
    await page.reload();
    const restored = scope(page, widget).locator('.pc-turn').first();
    await restored.getByRole('button', { name: 'Not a helpful answer' }).waitFor();
    await expect(pressed(restored.getByRole('button', { name: 'Not a helpful answer' }))).resolves.toBe('true');
    await expect(pressed(restored.getByRole('button', { name: 'Helpful answer', exact: true }))).resolves.toBe('false');
    if (!widget) await page.screenshot({ path: `${ARTIFACTS}feedback-page.png`, animations: 'disabled' });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('"wrong citation" on a chip’s paper sends that paper’s id with a down vote', async () => {
    const { ctx, page } = await open(url());
    const { turn, done } = await ask(page, 'How can neural surrogates replace expensive physics simulations?', widget);
    const cited = done.citations[done.citations.length - 1]!;
    await turn.locator('.pc-body .pc-chip').filter({ hasText: new RegExp(`^${cited.n}$`) }).first().click();
    const panel = scope(page, widget).locator('.pc-paper');
    const report = panel.getByRole('button', { name: 'Wrong citation' });
    await report.waitFor();
    expect(await pressed(report)).toBe('false');
    const [req] = await Promise.all([page.waitForRequest((r) => r.url() === `${app.url}/api/feedback`), report.click()]);
    expect(JSON.parse(req.postData() ?? '')).toEqual({ signature: done.signature, vote: 'down', citation: cited.id });
    await expect.poll(() => pressed(report)).toBe('true');
    await expect(panel.locator('.pc-feedback-note').textContent()).resolves.toBe('Marked as a wrong citation for this answer.');
    if (widget) await page.screenshot({ path: `${ARTIFACTS}feedback-widget-wrong-citation.png`, animations: 'disabled' });
    // Opened again from the sources list, the same paper shows it as marked.
    await panel.getByRole('button', { name: widget ? 'Back to the conversation' : 'Close the paper' }).click();
    await turn.locator('.pc-sources .pc-source').nth(done.citations.length - 1).click();
    await expect.poll(() => pressed(panel.getByRole('button', { name: 'Wrong citation' }))).toBe('true');
    await ctx.close();
  });

  it('says so when the server does not know the answer (404 unknown_answer), and shows no vote as taken', async () => {
    const { ctx, page } = await open(url());
    const { turn } = await ask(page, 'What makes adversarial examples transfer between models?', widget);
    app.forget();
    const up = turn.getByRole('button', { name: 'Helpful answer', exact: true });
    const [res] = await Promise.all([page.waitForResponse((r) => r.url() === `${app.url}/api/feedback` && r.request().method() === 'POST'), up.click()]);
    expect(res.status()).toBe(404);
    await turn.locator('.pc-feedback-note--error').waitFor();
    await expect(turn.locator('.pc-feedback-note').textContent()).resolves.toMatch(/no longer knows this answer/);
    expect(await pressed(up)).toBe('false');
    await ctx.close();
  });

  it('shows no feedback controls when /health says feedback is off, or says nothing of it', async () => {
    for (const flag of [false, undefined]) {
      app.feedbackFlag = flag;
      const { ctx, page } = await open(url());
      const { turn } = await ask(page, 'How is Bayesian optimization used to tune hyperparameters?', widget);
      await turn.getByRole('button', { name: 'Copy the answer with its references' }).waitFor();
      expect(await turn.locator('.pc-vote').count()).toBe(0);
      await turn.locator('.pc-body .pc-chip').first().click();
      await scope(page, widget).locator('.pc-paper-abstract').waitFor();
      expect(await scope(page, widget).locator('.pc-report').count()).toBe(0);
      await ctx.close();
    }
    app.feedbackFlag = true;
  });

  it('copies the cited papers as BibTeX that parses, as RIS and as one CSL-JSON array', async () => {
    const { ctx, page } = await open(url());
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url()).origin });
    const { turn, done } = await ask(page, 'Which papers speed up neural architecture search?', widget);
    expect(done.citations.length).toBeGreaterThanOrEqual(2);
    const ids = [...new Set(done.citations.map((c) => c.id))];
    const papers = await Promise.all(ids.map((id) => app.paper(id)));
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

    const bibtex = turn.getByRole('button', { name: 'Copy the cited papers as BibTeX' });
    await bibtex.click();
    await bibtex.getByText('Copied').waitFor();
    const bib = await clipboard();
    const parsed = parseBibtex(bib, { sentenceCase: false });
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries.map((e) => e.fields.title)).toEqual(papers.map((p) => p.title));
    expect(bib).toMatch(/\n}\n\n@misc\{/); // a blank line between entries

    await turn.getByRole('button', { name: 'Copy the cited papers as RIS' }).click();
    await expect.poll(clipboard).toMatch(/^TY {2}- /);
    const ris = await clipboard();
    expect(ris.match(/^TY {2}- /gm)?.length).toBe(ids.length);
    expect(ris.split(/\n\n/).length).toBe(ids.length);

    await turn.getByRole('button', { name: 'Copy the cited papers as CSL-JSON' }).click();
    await expect.poll(clipboard).toMatch(/^\[/);
    const csl = JSON.parse(await clipboard()) as { title: string }[];
    expect(csl.map((item) => item.title)).toEqual(papers.map((p) => p.title));
    await ctx.close();
  });

  it('passes axe-core with the feedback and reference controls, and with a paper open', async () => {
    const { ctx, page } = await open(url());
    const { turn } = await ask(page, 'Which papers prune neural networks?', widget);
    await turn.getByRole('button', { name: 'Helpful answer', exact: true }).click();
    await turn.locator('.pc-feedback-note').filter({ hasText: 'Thanks' }).waitFor();
    expect(await axeViolations(page), where).toEqual([]);
    await turn.locator('.pc-body .pc-chip').first().click();
    await scope(page, widget).locator('.pc-report').waitFor();
    expect(await axeViolations(page), where).toEqual([]);
    await ctx.close();
  });
});
