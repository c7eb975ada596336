/**
 * The support calibration on the real collection (lexical only), made at ingestion from questions
 * the collection makes itself: a valid, deterministic record of schema version 4, operating points
 * that let through the papers' own titles and stop questions about nothing, and the collection
 * facts the decision reads (numeral affinity, kinds and their instances, the claim check's cut).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readQuestion } from '../../src/question/read.js';
import { stem } from '../../src/retrieval/text.js';
import { calibrate, CalibrationSchema } from '../../src/support/calibrate.js';
import { decide } from '../../src/support/decide.js';
import { realCorpus, type RealCorpus } from '../helpers/real-corpus.js';

let corpus: RealCorpus;
beforeAll(async () => {
  corpus = await realCorpus();
});

const decided = async (q: string) => {
  const lists = await corpus.retriever.lists(q, 20);
  return decide({ asked: readQuestion(q), lists, stats: corpus.stats, calibration: corpus.calibration });
};

describe('calibration on the real collection', () => {
  it('is a valid record of schema version 4, the same on every run', async () => {
    const { calibration } = corpus;
    expect(CalibrationSchema.parse(calibration)).toEqual(calibration);
    expect(calibration.version).toBe(4);
    expect(await calibrate(corpus.retriever, corpus.stats)).toEqual(calibration);
  });

  it('has no dense signals, and gives the dense list no weight, without an embedder', () => {
    const { calibration } = corpus;
    expect(calibration.dense).toBe(false);
    expect(calibration.cover.model.weights).toHaveLength(7);
    expect(calibration.denseWeight).toBe(0);
    expect(calibration.report.fusion).toEqual({});
  });

  it('reports the made-up questions it fitted on, and stops questions of random words far more often than it stops titles', () => {
    const { report } = corpus.calibration;
    expect(report.questions).toBeGreaterThan(1_000);
    expect(report.rows).toBeGreaterThan(report.questions);
    for (const form of ['cover title', 'cover span']) expect(report.forms[form], form).toBeGreaterThanOrEqual(0.9);
    expect(report.forms['cover random']!).toBeGreaterThan(1 - report.forms['cover title']! + 0.2);
  });

  it('answers from a paper’s own title, and says a question about nothing in it is not covered, with nothing related', async () => {
    const sample = corpus.papers.filter((_, i) => i % 8 === 0);
    let answered = 0;
    for (const p of sample) if ((await decided(p.title)).kind === 'answer') answered++;
    expect(answered / sample.length).toBeGreaterThanOrEqual(0.95);
    const off = await decided('how long should I knead bread dough before baking it');
    expect(off.kind).toBe('not_covered');
    expect(off.kind === 'not_covered' && off.related).toEqual([]);
  });

  it('learns which terms stand by numerals, and which names are instances of a kind', () => {
    const { affinity, kinds } = corpus.calibration;
    expect(affinity[stem('cifar')]).toBeGreaterThan(0.8);
    expect(Object.values(affinity).every((a) => a >= 0.3 && a <= 1)).toBe(true);
    expect(affinity[stem('propose')]).toBeUndefined();
    expect(kinds[stem('dataset')]).toEqual(expect.arrayContaining(['cifar', 'imagenet', 'mnist']));
  });

  it('calibrates the claim check on made-up claims: most faithful ones pass, most miscitations do not', () => {
    const { claims } = corpus.calibration;
    expect(claims.minSupport).toBeGreaterThan(0);
    expect(claims.minSupport).toBeLessThan(1);
    expect(claims.minCosine).toBeNull();
    expect(claims.report.withDense).toBeNull();
    expect(claims.report.positives).toBeGreaterThanOrEqual(100);
    expect(claims.report.recall).toBeGreaterThanOrEqual(0.95);
    expect(claims.report.rejected).toBeGreaterThan(0.5);
  });
});
