/** The support decision: logistic fit, evidence, calibration on the real corpus, and the judge's two operating points. */
import { realCorpus } from '../helpers/real-corpus.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../src/corpus/schema.js';
import { HybridRetriever } from '../../src/retrieval/retriever.js';
import { TermStats } from '../../src/retrieval/term-stats.js';
import { terms } from '../../src/retrieval/text.js';
import { calibrate, CalibrationSchema, type Calibration } from '../../src/support/calibrate.js';
import { evidence, topOutlier } from '../../src/support/evidence.js';
import { judge } from '../../src/support/judge.js';
import { fitLogistic, predict } from '../../src/support/logistic.js';

describe('fitLogistic', () => {
  it('separates two classes and is deterministic', () => {
    const xs = Array.from({ length: 200 }, (_, i) => [i % 2 ? 1 + (i % 7) / 10 : -1 - (i % 5) / 10, (i % 3) - 1]);
    const ys = xs.map((_, i) => (i % 2 ? 1 : 0) as 0 | 1);
    const model = fitLogistic(xs, ys);
    expect(fitLogistic(xs, ys)).toEqual(model);
    expect(predict(model, [1.5, 0])).toBeGreaterThan(0.9);
    expect(predict(model, [-1.5, 0])).toBeLessThan(0.1);
  });
});

describe('topOutlier', () => {
  it('is large when one score stands out and 0 when all are equal', () => {
    expect(topOutlier([10, 1, 1.1, 0.9, 1])).toBeGreaterThan(10);
    expect(topOutlier([1, 1, 1, 1])).toBe(0);
  });
});

describe('calibration on the real corpus', () => {
  let papers: Paper[];
  let retriever: HybridRetriever;
  let stats: TermStats;
  let calibration: Calibration;

  beforeAll(async () => {
    ({ papers, retriever, stats, calibration } = await realCorpus());
  });

  it('stores a valid, deterministic model that lets through the asked share of made-up questions', async () => {
    expect(CalibrationSchema.parse(calibration)).toEqual(calibration);
    expect(calibration.dense).toBe(false);
    expect(calibration.report.recall.extractive).toBeGreaterThanOrEqual(0.95);
    expect(calibration.report.recall.llm).toBeGreaterThanOrEqual(0.99);
    // Made-up unanswerable questions are stopped far more often than answerable ones.
    expect(calibration.report.rejected.extractive).toBeGreaterThan(0.2);
    expect(await calibrate(retriever, stats)).toEqual(calibration);
  });

  it('is lenient with an LLM: its cut is lower, so it stops less', () => {
    expect(calibration.cut.llm).toBeLessThan(calibration.cut.extractive);
    expect(calibration.report.rejected.llm).toBeLessThan(calibration.report.rejected.extractive);
  });

  const verdict = async (q: string, lenient = false) => judge(calibration, evidence(await retriever.lists(q, 20), terms(q), stats), { lenient });

  it("supports a paper's own title and a keyword query, and not a question about cooking", async () => {
    for (const p of [papers[3]!, papers[100]!, papers[200]!]) expect((await verdict(p.title)).supported, p.title).toBe(true);
    expect((await verdict('how long should I knead bread dough before baking')).supported).toBe(false);
  });

  it('judges a question in LLM mode at least as leniently as in extractive mode', async () => {
    for (const q of ['sourdough starter feeding schedule', papers[50]!.title, 'transformer attention heads']) {
      const strict = await verdict(q);
      const lenient = await verdict(q, true);
      expect(lenient.probability).toBe(strict.probability);
      if (strict.supported) expect(lenient.supported).toBe(true);
    }
  });
});
