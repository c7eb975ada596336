/** finalizeCitations: validating the markers of a written answer against numbered sources. */
import { describe, expect, it } from 'vitest';
import { finalizeCitations } from '../../src/answer/citations.js';
import { markersIn } from '../../src/protocol/markers.js';

const sources = [1, 2, 3, 4, 5].map((n) => ({ n, id: `paper-${n}`, title: `Title ${n}` }));
const cite = (n: number) => ({ n, id: `paper-${n}`, title: `Title ${n}` });

describe('finalizeCitations', () => {
  it('keeps valid markers and lists exactly the cited sources', () => {
    const r = finalizeCitations('A holds [1]. B holds [2].', sources);
    expect(r).toEqual({ answer: 'A holds [1]. B holds [2].', citations: [cite(1), cite(2)], removedMarkers: [] });
  });

  it('removes markers that point to no source, reports them, and tidies the gap', () => {
    const r = finalizeCitations('A holds [1]. B holds [9]. C holds [0], and D [12].', sources);
    expect(r.answer).toBe('A holds [1]. B holds. C holds, and D.');
    expect(r.removedMarkers).toEqual([0, 9, 12]);
    expect(r.citations).toEqual([cite(1)]);
  });

  it('removes only the invalid numbers of a group', () => {
    const r = finalizeCitations('A holds [2, 9].', sources);
    expect(r.answer).toBe('A holds [2].');
    expect(r.removedMarkers).toEqual([9]);
    expect(r.citations).toEqual([cite(2)]);
  });

  it('keeps each marker’s number (what a streaming client already rendered) and lists citations by number', () => {
    const r = finalizeCitations('First [3]. Second [1]. Third [3]. Fourth [5].', sources);
    expect(r.answer).toBe('First [3]. Second [1]. Third [3]. Fourth [5].');
    expect(r.citations).toEqual([cite(1), cite(3), cite(5)]);
  });

  it('splits "[1, 2]" and "[2; 3]" groups into single markers', () => {
    const r = finalizeCitations('A [1, 2]. B [2; 3]. C [4 ,5].', sources);
    expect(r.answer).toBe('A [1][2]. B [2][3]. C [4][5].');
    expect(r.citations.map((c) => c.id)).toEqual(['paper-1', 'paper-2', 'paper-3', 'paper-4', 'paper-5']);
  });

  it('drops a repeated number inside one group', () => {
    expect(finalizeCitations('A [2, 2].', sources).answer).toBe('A [2].');
  });

  it('expands a range "[1-3]" to every source in it', () => {
    // An LLM writing "[1-3]" cites sources 1, 2 and 3; source 2 must not be lost.
    const r = finalizeCitations('All three agree [1-3].', sources);
    expect(r.citations.map((c) => c.id)).toEqual(['paper-1', 'paper-2', 'paper-3']);
    expect(r.answer).toBe('All three agree [1][2][3].');
  });

  it('tidies spacing: no space before punctuation, no double spaces, no stray space at the ends', () => {
    expect(finalizeCitations('Claim [9].', sources).answer).toBe('Claim.');
    expect(finalizeCitations('Claim [9] , then more [1] .', sources).answer).toBe('Claim, then more [1].');
    expect(finalizeCitations('a  [7]  b [1]', sources).answer).toBe('a b [1]');
    expect(finalizeCitations('  [8] Leading [1]  ', sources).answer).toBe('Leading [1]');
  });

  it('keeps line structure of list answers', () => {
    const text = '- Title 4 [4]: why it matters.\n- Title 9 [9]: gone.\n- Title 2 [2]: also.';
    const r = finalizeCitations(text, sources);
    expect(r.answer).toBe('- Title 4 [4]: why it matters.\n- Title 9: gone.\n- Title 2 [2]: also.');
    expect(r.answer.split('\n')).toHaveLength(3);
  });

  it('leaves text without markers alone', () => {
    expect(finalizeCitations('No markers here.', sources)).toEqual({ answer: 'No markers here.', citations: [], removedMarkers: [] });
  });

  it('does not turn a numeric interval such as "[0, 1]" into a citation', () => {
    // "[0, 1]" is math, not a marker: 0 is never a source number.
    const r = finalizeCitations('Scores are normalised to [0, 1] by the method [2].', sources);
    expect(r.citations.map((c) => c.id)).toEqual(['paper-2']);
    expect(r.answer).toContain('[0, 1]');
  });

  it('agrees with markersIn on the final text', () => {
    const r = finalizeCitations('X [5]. Y [2, 5]. Z [7].', sources);
    expect(markersIn(r.answer)).toEqual([5, 2, 5]);
    expect(new Set(markersIn(r.answer))).toEqual(new Set(r.citations.map((c) => c.n)));
  });
});
