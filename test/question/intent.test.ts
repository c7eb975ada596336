import { describe, expect, it } from 'vitest';
import { questionIntent } from '../../src/question/intent.js';

type Shape = { list: boolean; number: boolean; dataset: boolean; name: boolean };
const shape = (list: boolean, number: boolean, dataset: boolean, name: boolean): Shape => ({ list, number, dataset, name });

describe('questionIntent: the shape of the answer a question wants', () => {
  it.each<[string, Shape]>([
    // list: one line per paper
    ['Which papers study prompt tuning for language models?', shape(true, false, false, false)],
    ['Are there any works on federated learning with differential privacy?', shape(true, false, false, false)],
    ['List approaches to neural architecture search.', shape(true, false, false, false)],
    ['Find papers about graph neural networks for drug discovery', shape(true, false, false, false)],
    ['What is in the collection about speech synthesis?', shape(true, false, false, false)],
    ['Show me studies on adversarial robustness', shape(true, false, false, false)],
    ['papers on continual learning', shape(true, false, false, false)],
    ['What research is there on protein folding?', shape(true, false, false, false)],
    // number
    ['How many GPUs were used for pre-training?', shape(false, true, false, false)],
    ['By how much does pruning reduce inference time?', shape(false, true, false, false)],
    ['What accuracy does the model reach on ImageNet?', shape(false, true, false, false)],
    ['What was the top-1 accuracy?', shape(false, true, false, false)],
    ['What is the zero-shot accuracy on ImageNet?', shape(false, true, false, false)],
    ['How fast is the new sampler compared to DDPM?', shape(false, true, false, false)],
    ['What speed-up does the kernel give?', shape(false, true, false, false)],
    ['What percentage of parameters is updated?', shape(false, true, false, false)],
    ['How much memory does it save?', shape(false, true, false, false)],
    ['What is the largest model size they trained?', shape(false, true, false, false)],
    ['What dropout rate works best for the encoder?', shape(false, true, false, false)],
    // dataset
    ['Which datasets were used for evaluation?', shape(false, false, true, false)],
    ['What benchmarks did they test on?', shape(false, false, true, false)],
    ['Was it evaluated on COCO?', shape(false, false, true, false)],
    ['What corpora were used to pretrain the model?', shape(false, false, true, false)],
    // name
    ['What method do the authors propose?', shape(false, false, false, true)],
    ['Which optimizer was used?', shape(false, false, false, true)],
    ['What is it called?', shape(false, false, false, true)],
    ['What is the name of the proposed architecture?', shape(false, false, false, true)],
    ['Which loss function do they minimise?', shape(false, false, false, true)],
    ['Which kind of attention does it use?', shape(false, false, false, true)],
    ['Which backbone networks are compared?', shape(false, false, false, true)],
    ['What baselines does the paper compare against?', shape(false, false, false, true)],
    // none: an explanation is wanted
    ['How does FT-PFN extrapolate learning curves?', shape(false, false, false, false)],
    ['What is the main idea of low-rank adaptation?', shape(false, false, false, false)],
    ['Why do transformers need positional encodings?', shape(false, false, false, false)],
    ['Explain how contrastive learning works', shape(false, false, false, false)],
    ['Describe the training procedure of the proposed model', shape(false, false, false, false)],
    ['What are the limitations of this approach?', shape(false, false, false, false)],
  ])('%j', (q, expected) => {
    expect(questionIntent(q)).toMatchObject(expected);
  });
});

describe('questionIntent: measures and metadata ride along', () => {
  it.each<[string, { measures: { name: string; kind: string }[]; metadata: string[] }]>([
    ['How many GPUs were used for pre-training?', { measures: [{ name: 'gpus', kind: 'count' }], metadata: [] }],
    ['What BLEU score does it get on WMT14?', { measures: [{ name: 'bleu', kind: 'metric' }], metadata: [] }],
    ['What FID does the model achieve?', { measures: [{ name: 'fid', kind: 'metric' }], metadata: [] }],
    ['Who wrote the FT-PFN paper?', { measures: [], metadata: ['authors'] }],
    ['Is the code available?', { measures: [], metadata: ['code'] }],
    ['Which papers study prompt tuning for language models?', { measures: [], metadata: [] }],
  ])('%j', (q, expected) => {
    const intent = questionIntent(q);
    expect(intent.measures).toEqual(expected.measures);
    expect(intent.metadata).toEqual(expected.metadata);
  });
});

describe('plural requests and search-box queries', () => {
  it.each([
    ['Methods that compress language models without retraining', true],
    ['graph transformers papers', true],
    ['All versions of the proposed pruning framework', true],
    ['A paper that compresses language models without retraining', false],
  ])('%s -> list %s', (q, list) => {
    expect(questionIntent(q).list).toBe(list);
  });

  it.each([
    ['sparse autoencoders chess planning', true],
    ['diffusion model sampling speed', true],
    ['What speeds up diffusion sampling?', false],
    ['how to speed up diffusion sampling', false],
    ["I'm looking for a paper that uses sparse autoencoders to look inside a chess engine's planning", false],
  ])('%s -> keywords %s', (q, keywords) => {
    expect(questionIntent(q).keywords).toBe(keywords);
  });
});
