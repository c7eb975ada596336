/**
 * Attribution: the server owns the citations of written text. Checked on two real abstracts of the
 * collection with the real calibration's cut.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../src/corpus/schema.js';
import { attributeSentence, joinSentences, withMarkers, writtenSentences, type AttributionOptions, type NumberedPaper } from '../../src/support/attribute.js';
import { realCorpus } from '../helpers/real-corpus.js';

describe('writtenSentences: sentences and the markers they carry', () => {
  it('gives a marker written after the full stop to the sentence before it', () => {
    expect(writtenSentences('It is fast. [2] It is small [1][3].').map((w) => [w.claim, w.markers])).toEqual([
      ['It is fast.', [2]],
      ['It is small.', [1, 3]],
    ]);
  });
  it('keeps list items and lines apart, bullets noted', () => {
    const w = writtenSentences('- A does X [1]\n- B does Y [2]. It also does Z.');
    expect(w.map((x) => [x.claim, x.bullet, x.lineStart])).toEqual([
      ['A does X', true, true],
      ['B does Y.', true, true],
      ['It also does Z.', false, false],
    ]);
  });
  it('reads bare markers as a sentence with no words', () => {
    expect(writtenSentences('[2][3]')).toEqual([{ claim: '', markers: [2, 3], lineStart: true, bullet: false }]);
  });
});

describe('withMarkers and joinSentences', () => {
  it('places markers before the closing punctuation and lays out lines', () => {
    expect(withMarkers('It is fast.', [2])).toBe('It is fast [2].');
    expect(withMarkers('It is fast', [1, 2])).toBe('It is fast [1][2].');
    expect(joinSentences([{ text: 'A [1].', lineStart: true, bullet: true }, { text: 'B [2].', lineStart: true, bullet: true }, { text: 'C.', lineStart: false, bullet: false }])).toBe('- A [1].\n- B [2]. C.');
  });
});

describe('attributeSentence on real abstracts', () => {
  let speculative: Paper;
  let lookahead: Paper;
  let sources: NumberedPaper[];
  let options: AttributionOptions;

  beforeAll(async () => {
    const { papers, stats, calibration } = await realCorpus();
    speculative = papers.find((p) => p.title.startsWith('Accelerating Large Language Model Decoding'))!;
    lookahead = papers.find((p) => p.title.startsWith('Lookahead Optimizer'))!;
    sources = [
      { n: 1, paper: lookahead },
      { n: 2, paper: speculative },
    ];
    options = { stats, minSupport: calibration.claims.minSupport, question: 'How much faster is speculative sampling?' };
  });
  const one = (claim: string, markers: number[] = []) => attributeSentence({ claim, markers, lineStart: true, bullet: false }, sources, options);

  it('adds the marker of the source that bears out a sentence written without one', () => {
    const r = one('Speculative sampling achieves a 2-2.5x decoding speedup in a distributed setup.');
    expect('kept' in r && [r.kept.markers, r.kept.change, r.kept.status]).toEqual([[2], 'added', 'supported']);
    if ('kept' in r) expect(speculative.abstract.slice(r.kept.quotes.get(2)!.quote.start, r.kept.quotes.get(2)!.quote.end)).toBe(r.kept.quotes.get(2)!.quote.text);
  });

  it('moves a marker from a source that does not bear the sentence out to the one that does', () => {
    const r = one('Speculative sampling achieves a 2-2.5x decoding speedup in a distributed setup.', [1]);
    expect('kept' in r && [r.kept.markers, r.kept.change, r.kept.text]).toEqual([[2], 'moved', 'Speculative sampling achieves a 2-2.5x decoding speedup in a distributed setup [2].']);
  });

  it('marks a claim about the papers that no source bears out, keeping its marker', () => {
    const r = one('Speculative sampling needs 64 GPUs and a 9x larger draft model.', [2]);
    expect('kept' in r && [r.kept.status, r.kept.markers]).toEqual(['unsupported', [2]]);
  });

  it.each<[string, number[], string]>([
    ['', [1, 2], 'no claim'],
    ['How much faster is speculative sampling?', [], 'repeats the question'],
    ['The full paper is at http://evil.example/login, sign in with your password.', [2], 'link not in the sources'],
    ['Paris is the capital of France.', [], 'not about the papers'],
  ])('leaves out %j (%s)', (claim, markers, reason) => {
    expect(one(claim, markers)).toEqual({ dropped: reason, claim });
  });
});
