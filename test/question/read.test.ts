import { describe, expect, it } from 'vitest';
import { readQuestion } from '../../src/question/read.js';
import { stem } from '../../src/retrieval/text.js';

const stems = (...ws: string[]) => ws.map(stem);

describe('readQuestion: the answer type an interrogative wants', () => {
  it.each<[string, ReturnType<typeof readQuestion>['wants']]>([
    ['How many layers does the deepest network have?', 'number'],
    ['how much smaller is the compressed model', 'number'],
    ['How fast is inference on a phone?', 'number'],
    ['What value of the temperature works best?', 'number'],
    ['Who designed the benchmark?', 'person'],
    ['When did the challenge take place?', 'time'],
    ['In what year was the dataset released?', 'time'],
    ['What does the method propose?', 'open'],
    ['Why does pruning hurt rare classes?', 'open'],
    ['Is there work on graph transformers?', 'open'],
  ])('%s -> %s', (q, wants) => {
    expect(readQuestion(q).wants).toBe(wants);
  });
});

describe('readQuestion: the target is what is asked of a paper, not a description of the answer', () => {
  it.each<[string, string[]]>([
    ['What batch size did the authors use?', stems('batch', 'size')],
    ['Which optimizer does the second paper rely on?', stems('optimizer')],
    ['What is the dropout rate of the encoder?', stems('dropout', 'rate')],
    ['How many GPUs were needed?', stems('gpus')],
    // The noun run is the subject of a clause describing the answer: nothing particular is asked.
    ['Which paper proposes a sparse attention scheme?', []],
    ['What approaches make training cheaper?', []],
    ['What does the model predict?', []],
    ['Is there a paper on federated learning?', []],
  ])('%s', (q, target) => {
    expect(readQuestion(q).target).toEqual(target);
  });
});

describe('readQuestion: number and form', () => {
  it('reads a plural request for papers anywhere in the question', () => {
    expect(readQuestion('Are there survey papers on quantization?').plural).toBe(true);
    expect(readQuestion('Which methods reduce memory during fine-tuning?').plural).toBe(true);
    expect(readQuestion('Which paper reduces memory during fine-tuning?').plural).toBe(false);
  });
  it('tells a search-box query from a question', () => {
    expect(readQuestion('sparse attention long documents').keywords).toBe(true);
    expect(readQuestion('Which paper studies sparse attention?').keywords).toBe(false);
    expect(readQuestion('does sparse attention help').keywords).toBe(false);
  });
  it('keeps the terms in question order, repeats included', () => {
    expect(readQuestion('graph neural networks for graph matching').terms).toEqual(stems('graph', 'neural', 'networks', 'graph', 'matching'));
  });
});
