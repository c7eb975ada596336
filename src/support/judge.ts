import type { Paper } from '../corpus/schema.js';
import type { Measure } from '../question/measures.js';
import { abstractStatesMeasure } from '../question/measures.js';
import type { Calibration } from './calibrate.js';
import { featureVector, type Evidence } from './evidence.js';
import { predict } from './logistic.js';

export interface Verdict {
  supported: boolean;
  /** P(the collection answers the question), from the calibrated model. */
  probability: number;
}

/**
 * Does the collection answer the question? The calibrated model's probability against the cut
 * for the answer mode: with an LLM (`lenient`) only what is clearly unsupported is stopped.
 */
export function judge(calibration: Calibration, e: Evidence, options: { lenient: boolean }): Verdict {
  const probability = predict(calibration.model, featureVector(e, calibration.dense));
  return { supported: probability >= (options.lenient ? calibration.cut.llm : calibration.cut.extractive), probability };
}

/**
 * The measures a question names ("how many GPUs", "what BLEU score") that `paper`'s abstract
 * never states with a number: an answer from abstracts alone cannot give them.
 */
export function missingMeasures(paper: Pick<Paper, 'abstract'>, measures: readonly Measure[]): Measure[] {
  return measures.length && !abstractStatesMeasure(paper.abstract, measures) ? [...measures] : [];
}
