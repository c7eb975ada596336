import { describe, expect, it } from 'vitest';
import { scoreSentences } from '../../src/answer/compose/sentence-scoring.js';
import { questionIntent } from '../../src/question/intent.js';
import { TermStats } from '../../src/retrieval/term-stats.js';

describe('scoreSentences: standsAlone', () => {
  const stats = new TermStats([{ title: 't', abstract: 'a' }]);
  it.each([
    ['We propose a sparse kernel for attention.', true],
    ['This paper proposes a sparse kernel.', true],
    ['In this survey, we review sparse kernels.', true],
    ['To address this issue, we propose a sparse kernel.', false],
    ['However, sparse kernels are slow.', false],
    ['These results show that sparse kernels help.', false],
    ['This motivates a sparse kernel.', false],
    ['Moreover, the kernel is fast.', false],
  ])('%j reads on its own: %s', (sentence, expected) => {
    expect(scoreSentences(sentence, ['kernel'], stats, questionIntent('kernels?'))[0]!.standsAlone).toBe(expected);
  });
});
