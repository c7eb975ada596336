import { describe, expect, it } from 'vitest';
import { askedOrigin } from '../../src/question/origin.js';
import { TermStats } from '../../src/retrieval/term-stats.js';
import { introduces } from '../../src/support/origin.js';

const papers = [
  { title: 'Lookahead Optimizer: k steps forward, 1 step back', abstract: 'We propose a new optimization algorithm, Lookahead, that updates two sets of weights.' },
  { title: 'Slow and fast weights in practice', abstract: 'Motivated by the success of the Lookahead optimizer, we propose a schedule for its inner learning rate.' },
  { title: 'Adapters everywhere', abstract: 'We propose a drop-in replacement for popular approaches such as Lookahead optimizer and adapters.' },
  { title: 'Beyond Lookahead: revisiting interpolation', abstract: 'We study when interpolating weights helps.' },
  { title: 'Sparse kernels', abstract: 'We introduce a sparse attention kernel, called Lookahead Attention, for long documents.' },
  { title: 'Graph hypernetworks', abstract: 'We introduce the Graph HyperNetwork (GHN) to amortize the search cost.' },
];
const stats = new TermStats(papers);
const asked = askedOrigin('Which paper introduced the Lookahead optimizer?')!;

describe('introduces: does a paper introduce what an origin question asks about?', () => {
  it('yes when the head of its title names it', () => {
    expect(introduces(papers[0]!, asked, stats)).toBe(true);
  });
  it('not when it names it as earlier work it builds on', () => {
    expect(introduces(papers[1]!, asked, stats)).toBe(false);
  });
  it('not when it names it among things it replaces or compares with', () => {
    expect(introduces(papers[2]!, asked, stats)).toBe(false);
  });
  it('not from a title that names it as someone else’s ("Beyond X")', () => {
    expect(introduces(papers[3]!, asked, stats)).toBe(false);
  });
  it('not when what it introduces shares only a generic word', () => {
    expect(introduces(papers[4]!, askedOrigin('Which paper introduced the Lookahead optimizer?')!, stats)).toBe(false);
  });
  it('yes when the authors introduce it by name in the abstract', () => {
    expect(introduces(papers[5]!, askedOrigin('which paper introduced graph hypernetworks?')!, stats)).toBe(true);
  });
});
