import { describe, expect, it } from 'vitest';
import { loadSpelling } from '../../../src/platform/node/spelling.js';

const papers = [
  { title: 'Speculative sampling for faster decoding', abstract: 'A small draft model proposes tokens; the target model verifies them. Sampling stays exact.' },
  { title: 'Lookahead optimizer', abstract: 'The optimizer keeps slow weights and fast weights and updates the slow weights by interpolation.' },
];

describe('loadSpelling: the Node entry’s English word list', () => {
  it('knows English words (left alone) from typos (corrected)', () => {
    const s = loadSpelling(papers);
    expect(s.correct('historians trainng').text).toBe('historians trainng'); // "training" is not in these papers
    expect(s.correct('historians samplng').text).toBe('historians sampling');
  });
});
