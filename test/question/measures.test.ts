import { describe, expect, it } from 'vitest';
import { abstractStatesMeasure, askedMeasures, statesMeasure, type Measure } from '../../src/question/measures.js';
import { terms } from '../../src/retrieval/text.js';

const count = (name: string): Measure => ({ name, kind: 'count' });
const metric = (name: string): Measure => ({ name, kind: 'metric' });

describe('askedMeasures: the count or metric a question asks for', () => {
  it.each<[string, Measure[]]>([
    // counts: the counted noun ends the phrase
    ['How many GPUs were used to train the model?', [count('gpus')]],
    ['How many parameters does the largest model have?', [count('parameters')]],
    ['How many medical images were in the training set?', [count('images')]],
    ['How many layers deep can the network go?', [count('layers')]],
    ['How many different languages does the benchmark cover?', [count('languages')]],
    ['How many more samples does the baseline need?', [count('samples')]],
    ['How many tokens was it trained on?', [count('tokens')]],
    ['Sounds good, and how many epochs were needed?', [count('epochs')]],
    // metrics, by name or another spelling
    ['What BLEU score does it reach on WMT14 English-German?', [metric('bleu')]],
    ['What is the FID on CIFAR-10?', [metric('fid')]],
    ["What's the perplexity on WikiText-103?", [metric('perplexity')]],
    ['Which learning rate did they use?', [metric('learning rate')]],
    ['What batch size was used?', [metric('batch size')]],
    ['What was the RMSE of the surrogate?', [metric('rmse')]],
    ['What mIoU does the segmentation model achieve?', [metric('miou')]],
    ['What WER does the recogniser get?', [metric('wer')]],
    ['What word error rate does the recogniser get?', [metric('wer')]],
    ['What mean absolute error does the forecaster reach?', [metric('mae')]],
    ['What test RMSE do they report?', [metric('rmse')]],
    ['Which AUROC does the detector reach?', [metric('auroc')]],
    ["What is the model's latency on a phone?", [metric('latency')]],
    ['What is the Dice score on the test set?', [metric('dice')]],
    // quantities named up to two words after "what"
    ['What ImageNet top-1 accuracy does it report?', [metric('accuracy')]],
    ['What dropout rate works best for the encoder?', [metric('rate')]],
    ['What speed-up does the kernel give?', [metric('speedup')]],
    ['What compression ratio do they get?', [metric('ratio')]],
    // none asked
    ['A study of how many neighbours an index returns', []],
    ['Papers on how many samples are needed for PAC learning', []],
    ['What is attention?', []],
    ['Explain the BLEU metric', []],
  ])('%j', (q, expected) => {
    expect(askedMeasures(q)).toEqual(expected);
  });
});

describe('abstractStatesMeasure: does the abstract state the asked measure with a number?', () => {
  it.each<[string, string, boolean]>([
    ['How many GPUs were used?', 'We train the model on 64 GPUs for two weeks.', true],
    ['How many GPUs were used?', 'We train the model on GPUs for two weeks.', false],
    ['How many GPUs were used?', 'Training takes 3 days on a cluster of GPUs.', false],
    ['How many medical images were used?', 'We collect 1,052,730 medical images from 12 hospitals.', true],
    ['How many medical images were used?', 'We evaluate on 20 medical image datasets.', false],
    ['How many parameters does it have?', 'The model has 7 billion parameters.', true],
    ['How many parameters does it have?', 'The model has 7B parameters.', true],
    ['How many layers deep is the network?', 'We train residual networks with 1202 layers.', true],
    ['How many layers deep is the network?', 'We propose (1) a new block and (2) deeper stacks of layers.', false],
    ['What BLEU score does it reach?', 'Our model achieves 28.4 BLEU on the English-German task.', true],
    ['What BLEU score does it reach?', 'Our model improves BLEU on the English-German task over strong baselines.', false],
    ['What was the RMSE?', 'The surrogate reaches an RMSE of 0.02 Pa.', true],
    ['What was the RMSE?', 'The surrogate reaches a root mean squared error of 0.02 Pa.', true],
    ['What word error rate does it get?', 'The recogniser attains a WER of 4.1% on the clean test split.', true],
    ['What WER does it get?', 'The recogniser attains a word error rate of 4.1%.', true],
    ['What FID does it achieve?', 'We obtain an FID of 2.1 on unconditional generation.', true],
    ['What FID does it achieve?', 'FID improves when features come from a ResNet50 trained on 3D renders.', false],
    ['What learning rate was used?', 'We use a learning rate of 0.001 with cosine decay.', true],
    ['What learning rate was used?', 'We study learning rate schedules for large-batch training.', false],
    ['What perplexity does it reach?', 'Our recurrent model is fast. It reaches a perplexity of 18.3 on the test set.', true],
    ['What top-1 accuracy does it report?', 'The searched network reaches 74.7% top-1 accuracy on ImageNet.', true],
    ['What top-1 accuracy does it report?', 'The searched network reaches state-of-the-art top-1 accuracy on ImageNet.', false],
    ['What speed-up does it give?', 'We obtain a 2-2.5x decoding speedup in a distributed setup.', true],
    ['What dropout rate works best?', 'Dropping whole layers at training time regularizes deep transformers.', false],
  ])('%j against %j → %s', (q, abstract, expected) => {
    const measures = askedMeasures(q);
    expect(measures).toHaveLength(1);
    expect(abstractStatesMeasure(abstract, measures)).toBe(expected);
  });

  it('is false when no measure is asked', () => {
    expect(abstractStatesMeasure('We train on 64 GPUs.', [])).toBe(false);
  });
});

describe('counts and metrics in other writings', () => {
  it.each([
    ['How many teams took part in the shared task?', [{ name: 'teams', kind: 'count' }]],
    ['How many annotators labeled each image?', [{ name: 'annotators', kind: 'count' }]],
    ['What exact learning-rate value was used?', [{ name: 'learning rate', kind: 'metric' }]],
    ['how many GB does the compressed model take?', [{ name: 'gb', kind: 'count' }]],
  ])('%s', (q, expected) => {
    expect(askedMeasures(q)).toEqual(expected);
  });

  it.each([
    ['The model shrinks from 240MB to 9.1MB.', 'gb', false],
    ['The model shrinks from 240GB to 9.1GB.', 'gb', true],
    ['In total, 31 teams entered the competition.', 'teams', true],
  ])('"%s" states a count of %s: %s', (text, name, expected) => {
    expect(statesMeasure({ text, terms: new Set(terms(text)) }, { name, kind: 'count' })).toBe(expected);
  });
});
