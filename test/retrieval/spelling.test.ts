import { describe, expect, it } from 'vitest';
import { SpellingCorrector } from '../../src/retrieval/spelling.js';

const papers = [
  { title: 'Speculative sampling for faster decoding', abstract: 'A small draft model proposes tokens; the target model verifies them. Sampling stays exact.' },
  { title: 'Lookahead optimizer', abstract: 'The optimizer keeps slow weights and fast weights and updates the slow weights by interpolation.' },
];
const english = new Set(['historians', 'enslaved', 'people', 'which', 'the', 'paper']);
const speller = SpellingCorrector.fromPapers(papers, (w) => english.has(w));

describe('SpellingCorrector: typos become the collection’s words', () => {
  it.each([
    ['speculatve samplng', 'speculative sampling'],
    ['draft modle', 'draft model'],
    ['lookahaed optimzer with slow wieghts', 'lookahead optimizer with slow weights'],
    ['Decodng with a draft model', 'Decoding with a draft model'],
  ])('%j -> %j', (query, expected) => {
    expect(speller.correct(query).text).toBe(expected);
  });

  it.each([
    ['real words the collection lacks stay', 'historians of enslaved people'],
    ['names written with a capital stay', 'the paper by Frankle and Carbin'],
    ['acronyms stay', 'what does SWAE do'],
    ['short words stay', 'the abc of it'],
    ['words too far from any collection word stay', 'zyxwvut'],
  ])('%s', (_name, query) => {
    expect(speller.correct(query)).toEqual({ text: query, corrections: [] });
  });

  it('reports what it corrected', () => {
    expect(speller.correct('samplng').corrections).toEqual([{ from: 'samplng', to: 'sampling' }]);
  });

  it('prefers fewer edits, then the more frequent word', () => {
    const s = new SpellingCorrector(new Map([['weights', 1], ['weighs', 9], ['eights', 50]]), () => false);
    expect(s.suggest('wieghts')).toBe('weights'); // two edits from "weights"; "weighs" and "eights" are farther
    expect(new SpellingCorrector(new Map([['model', 2], ['modes', 5]]), () => false).suggest('modle')).toBe('model');
  });
});
