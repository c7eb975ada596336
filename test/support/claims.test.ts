/**
 * Claim checking: literal quotes, stated numbers and names, and the calibrated check on the real
 * corpus against a planted set of unsupported claims (wrong numbers, swapped citations, invented
 * datasets) and against the abstracts' own sentences, which must pass.
 */
import { realCorpus } from '../helpers/real-corpus.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAnswerer } from '../../src/answer/answerer.js';
import type { Paper } from '../../src/corpus/schema.js';
import type { ChatResult } from '../../src/protocol/chat.js';
import { HybridRetriever } from '../../src/retrieval/retriever.js';
import { TermStats } from '../../src/retrieval/term-stats.js';
import type { Calibration } from '../../src/support/calibrate.js';
import { attributeSentence } from '../../src/support/attribute.js';
import { checkClaim, sentenceSpans, unstatedIn } from '../../src/support/claims.js';
import { byKind, plantedClaims } from '../helpers/planted-claims.js';

describe('sentenceSpans', () => {
  it('gives literal spans of the abstract', () => {
    const abstract = 'We use e.g. MNIST.  It works (mostly).\nThe end is near.';
    const spans = sentenceSpans(abstract);
    expect(spans.map((s) => s.text)).toEqual(['We use e.g. MNIST.', 'It works (mostly).', 'The end is near.']);
    for (const s of spans) expect(abstract.slice(s.start, s.end)).toBe(s.text);
  });
});

describe('unstatedIn: numbers and names the source never states', () => {
  const source = 'We train ResNet-50 on CIFAR-10 with 1,052,730 images and reach 93.5% accuracy, 2-2.5x faster.';
  it.each([
    ['The model reaches 93.5% on CIFAR-10.', []],
    ['It is 2.5x faster with 1052730 images.', []],
    ['It reaches 95.1% accuracy.', ['95.1']],
    ['They also evaluate on ImageNet.', ['ImageNet']],
    ['A ResNet-50 trained on SVHN.', ['SVHN']],
    ['Results hold for Transformers too.', ['Transformers']],
    ['The method [1] works.', []],
  ])('%j -> %j', (claim, expected) => {
    expect(unstatedIn(claim, source)).toEqual(expected);
  });
});

describe('checkClaim', () => {
  const paper = {
    id: 'lookahead',
    title: 'Lookahead Optimizer: k steps forward, 1 step back',
    abstract: 'Most optimizers adapt the learning rate. We propose Lookahead, which keeps slow and fast weights. It improves SGD and Adam on ImageNet and Penn Treebank.',
  };
  const stats = new TermStats([paper, { title: 'Graph hypernetworks', abstract: 'We generate the weights of unseen architectures with a graph neural network.' }]);

  it('quotes the sentence that holds the claim, as a literal span', () => {
    const c = checkClaim('Lookahead keeps slow and fast weights', paper, stats);
    expect(c.quote.text).toBe('We propose Lookahead, which keeps slow and fast weights.');
    expect(paper.abstract.slice(c.quote.start, c.quote.end)).toBe(c.quote.text);
    expect(c.support).toBe(1);
    expect(c.unstated).toEqual([]);
  });

  it('names the numbers and names the paper never states', () => {
    expect(checkClaim('It improves SGD on CIFAR-100 by 5 points', paper, stats).unstated).toEqual(['100', '5', 'CIFAR-100']);
  });
});

describe('claim checking on the real corpus, with its calibration', () => {
  let papers: Paper[];
  let retriever: HybridRetriever;
  let stats: TermStats;
  let calibration: Calibration;

  beforeAll(async () => {
    ({ papers, retriever, stats, calibration } = await realCorpus());
  });

  it('calibrates a cut that accepts the made-up faithful claims and rejects most miscitations', () => {
    expect(calibration.claims.report.recall).toBeGreaterThanOrEqual(0.95);
    expect(calibration.claims.report.rejected).toBeGreaterThan(0.8);
    expect(calibration.claims.minSupport).toBeGreaterThan(0.2);
    expect(calibration.claims.minSupport).toBeLessThan(0.9);
  });

  /** Every seventh paper: a deterministic sample spread over the collection. */
  const sampled = () => papers.filter((_, i) => i % 7 === 3);
  const attributed = (claim: string, paper: Paper) =>
    attributeSentence({ claim, markers: [1], lineStart: true, bullet: false }, [{ n: 1, paper }], { stats, minSupport: calibration.claims.minSupport, question: '' });

  it('flags at least 90% of planted unsupported claims cited to one paper: wrong numbers, swapped citations, invented datasets', async () => {
    const planted = await plantedClaims(sampled(), retriever);
    const flagged = planted.filter((p) => {
      const r = attributed(p.claim, p.cited);
      return !('kept' in r) || r.kept.status === 'unsupported';
    });
    console.log(`planted unsupported claims flagged: ${flagged.length}/${planted.length}`, byKind(planted, flagged));
    expect(planted.length).toBeGreaterThan(60);
    expect(flagged.length / planted.length).toBeGreaterThanOrEqual(0.9);
  });

  it('accepts at least 95% of the abstracts\' own sentences restated, and extractive answers quote literal spans', async () => {
    const own = sampled().flatMap((p) => sentenceSpans(p.abstract).filter((s) => s.text.split(/\s+/).length >= 6).map((s) => ({ p, s: s.text })));
    const kept = own.filter(({ p, s }) => {
      const r = attributed(s, p);
      return 'kept' in r && r.kept.status === 'supported';
    });
    console.log(`own sentences borne out: ${kept.length}/${own.length}`);
    expect(own.length).toBeGreaterThan(100);
    expect(kept.length / own.length).toBeGreaterThanOrEqual(0.95);
    const answerer = createAnswerer({ retriever, stats, calibration, llm: null });
    for (const paper of sampled()) {
      let done: ChatResult | undefined;
      for await (const ev of answerer.answer([{ role: 'user', content: `What does "${paper.title}" propose?` }])) if (ev.type === 'done') done = ev.result;
      for (const c of done?.citations ?? []) {
        const abstract = (await retriever.getPaper(c.id))!.abstract;
        expect(c.quote, `${paper.title} [${c.n}]`).toBeDefined();
        expect(abstract.slice(c.quote!.start, c.quote!.end)).toBe(c.quote!.text);
      }
    }
  });
});
