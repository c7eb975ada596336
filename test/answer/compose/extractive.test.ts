/**
 * Extractive answers on real decisions of the real collection: quotes attributed to their paper
 * (`Name: "…" [1]`), list lines (`- Title [n]: "…"`), the cited papers of a follow-up that do not
 * state what is asked, and the note for a question in another language. Every quoted sentence is
 * the abstract's own.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { paperName, type ComposeInput } from '../../../src/answer/compose/composer.js';
import { composeExtractive, ENGLISH_ONLY_NOTE, extractiveComposer, type ExtractiveOptions } from '../../../src/answer/compose/extractive.js';
import type { Paper } from '../../../src/corpus/schema.js';
import { splitSentences } from '../../../src/corpus/sentences.js';
import { readQuestion } from '../../../src/question/read.js';
import { decide } from '../../../src/support/decide.js';
import { realCorpus, type RealCorpus } from '../../helpers/real-corpus.js';

let corpus: RealCorpus;
beforeAll(async () => {
  corpus = await realCorpus();
});

const byTitle = (start: string): Paper => corpus.papers.find((p) => p.title.startsWith(start))!;

/** The composer's input for a question, as the pipeline builds it (a follow-up: about `focus`). */
async function inputFor(question: string, extra: { focus?: Paper[]; english?: boolean } = {}): Promise<ComposeInput> {
  const lists = await corpus.retriever.lists(question, 20);
  const decision = decide({ asked: readQuestion(question), lists, stats: corpus.stats, calibration: corpus.calibration, ...(extra.focus ? { focus: extra.focus } : {}) });
  if (decision.kind !== 'answer') throw new Error(`${question}: the decision is ${decision.kind}, not an answer`);
  return { question, query: question, english: extra.english ?? true, decision, sources: [...decision.papers, ...decision.unstated].map((p) => p.paper) };
}

/** The quoted text of a line, split at the ellipses that mark skipped sentences. */
const quotedPieces = (quote: string) => quote.split(/\s*…\s*/).filter(Boolean);

describe('paperName: how an answer names a paper', () => {
  it.each([
    ['Lookahead Optimizer: k steps forward, 1 step back', 'Lookahead Optimizer'],
    ['MUVERA: Multi-Vector Retrieval via Fixed Dimensional Encodings', 'MUVERA'],
    ['Wide Residual Networks', 'Wide Residual Networks'],
    ['Tensor Programs VI: Feature Learning in Infinite-Depth Neural Networks', 'Tensor Programs VI'],
    ['A Long Head Of Many Words Before The Colon: And A Subtitle', 'A Long Head Of Many Words Before The Colon: And A Subtitle'],
  ])('%s -> %s', (title, name) => {
    expect(paperName(title)).toBe(name);
  });
});

describe('a one-paper answer', () => {
  it('quotes the paper’s own sentences, attributed to it by name, with the lead passage as the citation’s quote', async () => {
    const input = await inputFor('How many layers deep can stochastic depth make residual networks?');
    const paper = byTitle('Deep Networks with Stochastic Depth');
    expect(input.sources[0]!.id).toBe(paper.id);
    const { answer, citations } = composeExtractive(input);
    const m = /^(.+?): "(.+)" \[1\]$/s.exec(answer);
    expect(m, answer).not.toBeNull();
    expect(m![1]).toBe(paperName(paper.title));
    for (const piece of quotedPieces(m![2]!)) {
      for (const s of splitSentences(piece)) expect(paper.abstract).toContain(s);
    }
    // It leads with the sentence that states the asked number.
    expect(m![2]).toContain('1200 layers');
    expect(citations).toHaveLength(1);
    const quote = citations[0]!.quote!;
    expect(citations[0]).toMatchObject({ n: 1, id: paper.id, title: paper.title });
    expect(paper.abstract.slice(quote.start, quote.end)).toBe(quote.text);
    expect(m![2]!.startsWith(quotedPieces(quote.text)[0]!.slice(0, 40))).toBe(true);
  });

  it('names a paper by the part of its title before the colon when that part is short', async () => {
    const { answer } = composeExtractive(await inputFor('What does the Lookahead optimizer update iteratively?'));
    expect(answer.startsWith('Lookahead Optimizer: "')).toBe(true);
    expect(answer).toContain('iteratively updates two sets of weights');
  });
});

describe('a list answer', () => {
  it('gives each paper one line with its title and one sentence of its abstract, numbered as the sources', async () => {
    const input = await inputFor('Which papers make residual networks deeper or wider?');
    expect(input.decision.shape).toBe('list');
    const { answer, citations } = composeExtractive(input);
    const lines = answer.split('\n');
    expect(lines).toHaveLength(input.decision.papers.length);
    lines.forEach((line, i) => {
      const paper = input.sources[i]!;
      const m = /^- (.+?) \[(\d+)\](?:: "(.+)")?$/.exec(line);
      expect(m, line).not.toBeNull();
      expect([m![1], Number(m![2])]).toEqual([paper.title, i + 1]);
      if (m![3]) {
        expect(splitSentences(m![3])).toHaveLength(1);
        expect(paper.abstract).toContain(m![3]);
        expect(citations[i]!.quote!.text).toBe(m![3]);
      }
    });
    expect(citations.map((c) => c.n)).toEqual(lines.map((_, i) => i + 1));
  });

  it('lists papers past the word budget by their titles alone', async () => {
    const input = await inputFor('Which papers make residual networks deeper or wider?');
    // (`ExtractiveOptions` types each option as its default's literal, so a test must cast to set one.)
    const lines = composeExtractive(input, { maxListWords: 20 } as unknown as ExtractiveOptions).answer.split('\n');
    expect(lines).toHaveLength(input.decision.papers.length);
    expect(lines.some((l) => /^- .+ \[\d+\]$/.test(l))).toBe(true);
  });
});

describe('a follow-up about the papers just cited', () => {
  it('answers for each cited paper, and says which abstracts do not state what is asked', async () => {
    const focus = [byTitle('Lookahead Optimizer'), byTitle('Accelerating Large Language Model Decoding'), byTitle('Wide Residual Networks')];
    const input = await inputFor('Which datasets did they use?', { focus });
    const { answer } = composeExtractive(input);
    const lines = answer.split('\n');
    expect(lines).toHaveLength(3);
    const line = (p: Paper) => lines.find((l) => l.startsWith(`- ${p.title} [`))!;
    expect(line(focus[0]!)).toMatch(/ImageNet|CIFAR/);
    expect(line(focus[2]!)).toMatch(/CIFAR|SVHN|COCO/);
    const n = input.sources.findIndex((p) => p.id === focus[1]!.id) + 1;
    expect(line(focus[1]!)).toBe(`- ${focus[1]!.title} [${n}]: its abstract does not state the datasets.`);
  });
});

describe('a question in another language without an LLM', () => {
  it('gets the note that the papers are in English, after the answer', async () => {
    const input = await inputFor('¿Qué propone el optimizador Lookahead para SGD y Adam?', { english: false });
    const { answer } = composeExtractive(input);
    expect(answer.endsWith(`\n${ENGLISH_ONLY_NOTE}`)).toBe(true);
    expect(composeExtractive({ ...input, english: true }).answer).toBe(answer.slice(0, -ENGLISH_ONLY_NOTE.length - 1));
  });
});

describe('extractiveComposer', () => {
  it('streams the answer in pieces that add up to it, verified by construction', async () => {
    const input = await inputFor('Which papers make residual networks deeper or wider?');
    const gen = extractiveComposer().compose(input);
    const deltas: string[] = [];
    let r = await gen.next();
    for (; !r.done; r = await gen.next()) deltas.push(r.value);
    const expected = composeExtractive(input);
    expect(r.value).toEqual({ kind: 'answer', mode: 'extractive', answer: expected.answer, citations: expected.citations, verified: 1, unsupported: [] });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(expected.answer);
  });
});
