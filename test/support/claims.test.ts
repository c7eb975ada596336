/**
 * Claim verification: literal quotes, the claims of an answer, stated numbers and names, and the
 * calibrated check on the real corpus against a planted set of unsupported claims (wrong numbers,
 * swapped citations, invented datasets) and against extractive answers, which must pass.
 */
import { realCorpus } from '../helpers/real-corpus.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAnswerer } from '../../src/answer/answerer.js';
import type { Paper } from '../../src/corpus/schema.js';
import type { ChatResult } from '../../src/protocol/chat.js';
import { HybridRetriever } from '../../src/retrieval/retriever.js';
import { TermStats } from '../../src/retrieval/term-stats.js';
import type { Calibration } from '../../src/support/calibrate.js';
import { answerClaims, checkClaim, sentenceSpans, unstatedIn, verifyAnswer } from '../../src/support/claims.js';
import { byKind, plantedClaims } from '../helpers/planted-claims.js';

describe('sentenceSpans', () => {
  it('gives literal spans of the abstract', () => {
    const abstract = 'We use e.g. MNIST.  It works (mostly).\nThe end is near.';
    const spans = sentenceSpans(abstract);
    expect(spans.map((s) => s.text)).toEqual(['We use e.g. MNIST.', 'It works (mostly).', 'The end is near.']);
    for (const s of spans) expect(abstract.slice(s.start, s.end)).toBe(s.text);
  });
});

describe('answerClaims', () => {
  it('ends a claim at its markers and keeps adjacent groups together', () => {
    expect(answerClaims('A is fast [1]. B is small [2][3]. Uncited closing words.')).toEqual([
      { sentence: 'A is fast [1].', claim: 'A is fast.', markers: [1] },
      { sentence: 'B is small [2][3]. Uncited closing words.', claim: 'B is small. Uncited closing words.', markers: [2, 3] },
    ]);
  });

  it('reads a list line "- Title [n]: why" as one claim citing n', () => {
    const claims = answerClaims('- Lookahead Optimizer [2]: keeps slow and fast weights.\n- Other [4]');
    expect(claims.map((c) => [c.claim, c.markers])).toEqual([
      ['Lookahead Optimizer: keeps slow and fast weights.', [2]],
      ['Other', [4]],
    ]);
  });

  it('ignores text that cites nothing and brackets that are not markers', () => {
    expect(answerClaims('No citations here, only [0, 1] intervals.')).toEqual([]);
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

describe('checkClaim and verifyAnswer', () => {
  const paper = {
    id: 'lookahead',
    title: 'Lookahead Optimizer: k steps forward, 1 step back',
    abstract: 'Most optimizers adapt the learning rate. We propose Lookahead, which keeps slow and fast weights. It improves SGD and Adam on ImageNet and Penn Treebank.',
  };
  const other = { id: 'ghn', title: 'Graph hypernetworks', abstract: 'We generate the weights of unseen architectures with a graph neural network.' };
  const stats = new TermStats([paper, other]);

  it('quotes the sentence that holds the claim, as a literal span', () => {
    const c = checkClaim('Lookahead keeps slow and fast weights', paper, stats);
    expect(c.quote.text).toBe('We propose Lookahead, which keeps slow and fast weights.');
    expect(paper.abstract.slice(c.quote.start, c.quote.end)).toBe(c.quote.text);
    expect(c.support).toBe(1);
    expect(c.unstated).toEqual([]);
  });

  it('flags a swapped citation, a wrong number and an invented dataset, and keeps the true claim', () => {
    const answer = 'Lookahead keeps slow and fast weights [1]. It improves SGD on CIFAR-100 [1]. Unseen architectures get weights from a graph network [1]. Lookahead steps 5 times back [1].';
    const v = verifyAnswer(answer, (n) => (n === 1 ? paper : undefined), stats, 0.5);
    expect(v.unsupported.map((u) => u.sentence)).toEqual([
      'It improves SGD on CIFAR-100 [1].',
      'Unseen architectures get weights from a graph network [1].',
      'Lookahead steps 5 times back [1].',
    ]);
    expect(v.verified).toBe(0.25);
    expect(v.quotes.get(1)!.text).toBe('We propose Lookahead, which keeps slow and fast weights.');
  });

  it('verifies a claim when any of its cited papers bears it out', () => {
    const v = verifyAnswer('Unseen architectures get weights from a graph network [1][2].', (n) => [paper, other][n - 1], stats, 0.5);
    expect(v.verified).toBe(1);
    expect(v.quotes.get(2)!.text).toBe(other.abstract);
  });

  it('has nothing to verify in an answer without markers', () => {
    expect(verifyAnswer('Nothing cited.', () => paper, stats, 0.5)).toEqual({ quotes: new Map(), unsupported: [], verified: null });
  });
});

describe('verification on the real corpus, with its calibration', () => {
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

  it('flags at least 90% of planted unsupported claims: wrong numbers, swapped citations, invented datasets', async () => {
    const planted = await plantedClaims(sampled(), retriever);
    const flagged = planted.filter((p) => verifyAnswer(`${p.claim} [1]`, () => p.cited, stats, calibration.claims.minSupport).unsupported.length === 1);
    console.log(`planted unsupported claims flagged: ${flagged.length}/${planted.length}`, byKind(planted, flagged));
    expect(planted.length).toBeGreaterThan(60);
    expect(flagged.length / planted.length).toBeGreaterThanOrEqual(0.9);
  });

  it('flags at most 5% of the claims of extractive answers', async () => {
    const answerer = createAnswerer({ retriever, stats, calibration, llm: null });
    let claims = 0;
    let unsupported = 0;
    for (const paper of sampled()) {
      for (const question of [`What does "${paper.title}" propose?`, `Which papers are about ${paper.title.split(':')[0]}?`]) {
        let done: ChatResult | undefined;
        for await (const ev of answerer.answer([{ role: 'user', content: question }])) if (ev.type === 'done') done = ev.result;
        if (!done || done.abstained) continue;
        claims += answerClaims(done.answer).length;
        unsupported += done.unsupported?.length ?? 0;
        for (const c of done.citations) {
          const abstract = (await retriever.getPaper(c.id))!.abstract;
          expect(c.quote, `${question} [${c.n}]`).toBeDefined();
          expect(abstract.slice(c.quote!.start, c.quote!.end)).toBe(c.quote!.text);
        }
      }
    }
    console.log(`extractive answer claims flagged: ${unsupported}/${claims}`);
    expect(claims).toBeGreaterThan(50);
    expect(unsupported / claims).toBeLessThanOrEqual(0.05);
  });
});
