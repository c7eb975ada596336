import { describe, expect, it } from 'vitest';
import { shortTitle, suggestFollowUps, suggestFromRelated } from '../../src/answer/suggestions.js';
import { questionIntent } from '../../src/question/intent.js';

const paper = (title: string, abstract = 'We propose a method.') => ({ id: title.toLowerCase().replace(/\W+/g, '-'), title, abstract });

describe('shortTitle', () => {
  it.each([
    ['Lookahead Optimizer: k steps forward, 1 step back', 'Lookahead Optimizer: k steps forward, 1 step back'],
    ['MUVERA: Multi-Vector Retrieval via Fixed Dimensional Encodings for Very Large Collections', 'MUVERA'],
    ['A Very Long Title Without Any Colon That Goes On And On Forever', 'A Very Long Title Without Any…'],
  ])('%j -> %j', (title, short) => {
    expect(shortTitle(title)).toBe(short);
  });
});

describe('suggestFollowUps', () => {
  const a = paper('Wide Residual Networks', 'We evaluate on CIFAR-10 and SVHN.');
  const b = paper('Deep Networks with Stochastic Depth');

  it('after a one-paper answer: its datasets (when the abstract names some) and its topic', () => {
    expect(suggestFollowUps('What are wide residual networks?', questionIntent('What are wide residual networks?'), [a])).toEqual([
      'Which datasets does “Wide Residual Networks” evaluate on?',
      'Which other papers study the topic of “Wide Residual Networks”?',
    ]);
  });

  it('after a list: what the first proposes and how two differ; never the datasets question again', () => {
    const q = 'Which papers train very deep networks? Which datasets?';
    const s = suggestFollowUps(q, questionIntent(q), [a, b]);
    expect(s).toContain('What does “Wide Residual Networks” propose?');
    expect(s).toContain('How do “Wide Residual Networks” and “Deep Networks with Stochastic Depth” differ?');
    expect(s.some((x) => /datasets/.test(x))).toBe(false);
    expect(s.length).toBeLessThanOrEqual(3);
  });

  it('suggests nothing without cited papers, and never the question itself', () => {
    expect(suggestFollowUps('Anything?', questionIntent('Anything?'), [])).toEqual([]);
    const q = 'Which other papers study the topic of “Wide Residual Networks”?';
    expect(suggestFollowUps(q, questionIntent(q), [a])).not.toContain(q);
  });

  it('after a refusal: what the related papers propose', () => {
    expect(suggestFromRelated([a, b, paper('Third')])).toEqual(['What does “Wide Residual Networks” propose?', 'What does “Deep Networks with Stochastic Depth” propose?']);
  });
});
