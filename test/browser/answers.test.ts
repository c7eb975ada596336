/**
 * What the page and the widget make of a `done` event, in real Chromium: the final attributed
 * answer replaces the streamed text (markers the server added, sentences it marked unsupported or
 * dropped); a URL is a link only when it is a cited paper's record `url`; each abstention kind
 * has its own look, and those about one paper show it like a cited answer. The chats are scripted
 * by contract-routes.ts, from real papers of a small corpus with urls, so that these cases do
 * not wait for the answerer to produce them (issues 15 and 16).
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { ChatResult, Citation, Quote, Source } from '../../src/protocol/chat.js';
import type { Paper } from '../../src/protocol/papers.js';
import { startContractApp, type ContractApp, type ScriptedChat } from './contract-routes.js';
import { answerStates, ARTIFACTS, axeViolations, hostPage, chatScope, launchBrowser, openPage, recordAnswerStates, serveHostPages, type Http } from './helpers.js';

let browser: Browser;
let app: ContractApp;
let host: Http;
let dir: string;
const pages: Record<string, string> = {};
const urlOf = (i: number) => `https://papers.example.org/paper-${i}`;
let A: Paper;
let B: Paper;

beforeAll(async () => {
  // The small corpus, each paper with an id and a url.
  dir = await mkdtemp(join(tmpdir(), 'paper-chat-answers-'));
  const lines = (await readFile(new URL('../fixtures/tiny-corpus.jsonl', import.meta.url), 'utf8')).trim().split('\n');
  const corpus = join(dir, 'corpus.jsonl');
  await writeFile(corpus, lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), id: `paper-${i}`, url: urlOf(i) })).join('\n'));
  [browser, host] = await Promise.all([launchBrowser(), serveHostPages(pages)]);
  app = await startContractApp({ ALLOWED_ORIGINS: host.url, CORPUS_PATH: corpus });
  pages.index = hostPage(app.url);
  [A, B] = await Promise.all([app.paper('paper-0'), app.paper('paper-1')]);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([app?.close(), host?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The sentence of `p`'s abstract that holds `words`, as a quote (a literal span of the abstract). */
function quoteOf(p: Paper, words: string): Quote {
  const at = p.abstract.indexOf(words);
  expect(at).toBeGreaterThanOrEqual(0);
  const start = p.abstract.lastIndexOf('. ', at) + (p.abstract.lastIndexOf('. ', at) < 0 ? 1 : 2);
  const end = p.abstract.indexOf('. ', at) + 1 || p.abstract.length;
  return { text: p.abstract.slice(start, end), start, end };
}
const source = (n: number, p: Paper): Source => ({ n, id: p.id, title: p.title });
const cite = (n: number, p: Paper, quote?: Quote): Citation => ({ n, id: p.id, title: p.title, ...(quote ? { quote } : {}) });
const signature = (i: number) => String(i).padStart(64, 'a');
const result = (r: Partial<ChatResult> & Pick<ChatResult, 'answer' | 'citations'>): ChatResult => ({ abstained: false, mode: 'llm', signature: signature(Math.floor(Math.random() * 1e9)), ...r });

const open = (url: string) => openPage(browser, url);

const scope = chatScope;

/** Queues `chat`, asks on the page or in the widget, and waits for the turn to finish. */
async function askScripted(page: Page, chat: ScriptedChat, widget = false): Promise<Locator> {
  app.script(chat);
  const root = scope(page, widget);
  const turns = await root.locator('.pc-turn').count();
  if (widget && (await root.locator('.pc-panel').isHidden())) await root.locator('.pc-launcher').click();
  await root.locator('.pc-input').fill('A question about the papers');
  await root.locator('.pc-input').press('Enter');
  const turn = root.locator('.pc-turn').nth(turns);
  await turn.and(root.locator('[data-status=done]')).waitFor();
  return turn;
}

describe.each([
  ['page', false],
  ['widget', true],
] as const)('the done event in the %s', (_where, widget) => {
  const url = () => (widget ? `${host.url}/index` : app.url);

  it('replaces the streamed text with the final attributed answer: added markers, a dropped sentence, an unsupported claim', async () => {
    const { ctx, page, errors } = await open(url());
    await recordAnswerStates(page, widget ? 'paper-chat-widget' : undefined);
    const fast = quoteOf(A, '10-100 times faster');
    const answer = `FT-PFN is a surrogate for freeze-thaw Bayesian optimization [1]. Its predictions are 10-100 times faster than deep Gaussian processes [1]. It was also the fastest method in a study of Bayesian neural network surrogates [2].`;
    const flagged = 'It was also the fastest method in a study of Bayesian neural network surrogates [2].';
    const turn = await askScripted(
      page,
      {
        sources: [source(1, A), source(2, B)],
        deltas: ['FT-PFN is a surrogate ', 'for freeze-thaw Bayesian optimization. ', 'Its predictions are 10-100 times faster than deep Gaussian processes. ', 'Hope this helps! ', 'It was also the fastest method in a study of Bayesian neural network surrogates.'],
        done: result({ answer, citations: [cite(1, A, fast), cite(2, B)], unsupported: [{ sentence: flagged, markers: [2] }], verified: 0.5 }),
      },
      widget,
    );
    const states = await answerStates(page);
    // The streamed text was on screen, without markers and with the sentence the server dropped.
    expect(states.some((s) => s.status === 'streaming' && s.text.includes('Hope this helps!'))).toBe(true);
    expect(states.some((s) => s.status === 'streaming' && s.text.includes('Bayesian optimization. Its predictions'))).toBe(true);
    const body = turn.locator('.pc-body');
    const text = (await body.textContent()) ?? '';
    expect(text).not.toContain('Hope this helps!');
    expect(text).toContain('Bayesian optimization 1. Its predictions');
    expect(await body.locator('.pc-chip').allTextContents()).toEqual(['1', '1', '2']);
    expect(await body.locator('.pc-unsupported').count()).toBe(1);
    await expect(body.locator('.pc-unsupported').textContent()).resolves.toMatch(/^It was also the fastest method.*\(not found in the cited abstract\)$/);
    await expect(turn.locator('.pc-note--warn').textContent()).resolves.toMatch(/1 claim is marked/);
    expect(await turn.locator('.pc-sources .pc-source-title').allTextContents()).toEqual([A.title, B.title]);
    // The chips of the final answer carry its quotes: [1] opens A with the sentence highlighted.
    await body.locator('.pc-chip').first().click();
    await expect(scope(page, widget).locator('.pc-paper mark.pc-quote').textContent()).resolves.toBe(fast.text);
    if (!widget) await page.screenshot({ path: `${ARTIFACTS}answer-done-replaces-stream.png`, animations: 'disabled' });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('makes a URL a link only when it is the url of a paper the answer cites', async () => {
    const { ctx, page } = await open(url());
    const answer = `The paper is at ${urlOf(0)} [1]. A related one is at ${urlOf(1)}. The full text is at http://evil.example/login (sign in with your password).`;
    const turn = await askScripted(page, { sources: [source(1, A), source(2, B)], deltas: [answer], done: result({ answer, citations: [cite(1, A)] }) }, widget);
    const body = turn.locator('.pc-body');
    await body.locator('a').first().waitFor();
    const links = await body.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent, a.getAttribute('target'), a.getAttribute('rel')]));
    expect(links).toEqual([[urlOf(0), urlOf(0), '_blank', 'noopener noreferrer']]);
    const text = (await body.textContent()) ?? '';
    // Paper B's url is a record url, but B is not cited; the other is in no record.
    expect(text).toContain(`A related one is at ${urlOf(1)}.`);
    expect(text).toContain('http://evil.example/login');
    // The cited paper's record was read; the uncited one's was not.
    expect(app.paths).toContain('/api/papers/paper-0');
    expect(app.paths).not.toContain('/api/papers/paper-1');
    await ctx.close();
  });
});

describe('abstentions', () => {
  const notStatedQuote = () => quoteOf(A, 'In this work, we propose FT-PFN');
  const chats = (): Record<string, ScriptedChat> => ({
    not_covered: {
      sources: [],
      deltas: [],
      done: result({ answer: 'The papers in this collection do not cover that.', citations: [], abstained: true, mode: 'extractive', related: [{ id: B.id, title: B.title }], abstention: { kind: 'not_covered' } }),
    },
    not_stated: {
      sources: [source(1, A)],
      deltas: [],
      done: result({
        answer: `The abstract of “${A.title}” does not state the number of GPUs used [1].`,
        citations: [cite(1, A, notStatedQuote())],
        abstained: true,
        mode: 'extractive',
        abstention: { kind: 'not_stated', paper: { id: A.id, title: A.title }, missing: 'the number of GPUs', quote: notStatedQuote() },
      }),
    },
    false_premise: {
      sources: [source(1, A)],
      deltas: [],
      done: result({
        answer: `“${A.title}” does not report FT-PFN as slower than deep Gaussian processes; it reports: ${quoteOf(A, '10-100 times faster').text} [1]`,
        citations: [cite(1, A, quoteOf(A, '10-100 times faster'))],
        abstained: true,
        mode: 'extractive',
        abstention: { kind: 'false_premise', paper: { id: A.id, title: A.title }, missing: 'FT-PFN is slower', quote: quoteOf(A, '10-100 times faster') },
      }),
    },
    refused: {
      sources: [],
      deltas: [],
      done: result({ answer: 'I can only answer questions about the papers in this collection.', citations: [], abstained: true, mode: 'extractive', abstention: { kind: 'refused' } }),
    },
  });
  const LABELS = { not_covered: 'These papers don’t answer that', not_stated: 'Not stated in the paper', false_premise: 'Not what the paper says', refused: 'Not a question about the papers' };

  it('each kind on the page: its own state line; not stated and not what the paper says cite the paper with its closest quote', async () => {
    const { ctx, page, errors } = await open(app.url);
    const c = chats();
    for (const [kind, chat] of Object.entries(c)) {
      const turn = await askScripted(page, chat);
      await expect(turn.getAttribute('data-kind')).resolves.toBe(kind);
      await expect(turn.getAttribute('class')).resolves.toContain('pc-turn--abstained');
      await expect(turn.locator('.pc-state').textContent()).resolves.toBe(LABELS[kind as keyof typeof LABELS]);
      const chips = turn.locator('.pc-body .pc-chip');
      if (kind === 'not_stated' || kind === 'false_premise') {
        const quote = chat.done.citations[0]!.quote!;
        expect(await chips.allTextContents()).toEqual(['1']);
        await expect(turn.locator('.pc-list-title').first().textContent()).resolves.toBe('The paper asked about');
        // The closest passage shows under the answer, unless the answer quotes it already.
        expect(await turn.locator('.pc-closest blockquote').allTextContents()).toEqual(chat.done.answer.includes(quote.text) ? [] : [quote.text]);
        // The chip's card and the abstract show the quote, highlighted.
        await chips.first().hover();
        await expect.poll(() => page.locator('.pc-card:visible .pc-card-quote').textContent()).toBe(quote.text);
        await chips.first().click();
        await expect(page.locator('.pc-paper mark.pc-quote').textContent()).resolves.toBe(quote.text);
        await page.keyboard.press('Escape');
      } else {
        expect(await chips.count()).toBe(0);
        expect(await turn.locator('.pc-sources--related .pc-source-title').allTextContents()).toEqual((chat.done.related ?? []).map((r) => r.title));
      }
    }
    // Not what the paper says is marked as a warning; not stated as information.
    const border = await page.locator('.pc-turn[data-kind=false_premise] .pc-a').evaluate((el) => getComputedStyle(el).borderLeftColor);
    const plain = await page.locator('.pc-turn[data-kind=not_stated] .pc-a').evaluate((el) => getComputedStyle(el).borderLeftColor);
    expect(border).not.toBe(plain);
    await page.screenshot({ path: `${ARTIFACTS}abstention-kinds.png`, fullPage: true, animations: 'disabled' });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('not stated in the widget: the paper cited as [1], its quote highlighted in the abstract', async () => {
    const { ctx, page } = await open(`${host.url}/index`);
    const chat = chats().not_stated!;
    const turn = await askScripted(page, chat, true);
    await expect(turn.getAttribute('data-kind')).resolves.toBe('not_stated');
    await expect(turn.locator('.pc-state').textContent()).resolves.toBe('Not stated in the paper');
    await turn.locator('.pc-body .pc-chip').click();
    await expect(page.locator('paper-chat-widget .pc-paper mark.pc-quote').textContent()).resolves.toBe(chat.done.citations[0]!.quote!.text);
    expect(await axeViolations(page)).toEqual([]);
    await ctx.close();
  });
});
