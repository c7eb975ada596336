/**
 * Follow-up suggestions: candidates made from the cited papers only, offered only when the
 * decision would answer them (the `answers` check), never the question itself, at most `count`.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SUGGESTIONS, shortTitle, suggestFollowUps } from '../../src/answer/suggestions.js';
import type { Paper } from '../../src/corpus/schema.js';

const paper = (title: string): Paper => ({ id: title.toLowerCase().replace(/\W+/g, '-'), title, abstract: 'We propose a method.' });
const a = paper('Wide Residual Networks');
const b = paper('Deep Networks with Stochastic Depth');

/** A stand-in for the decision (`answers`): yes unless `answers` says no, recording what it was asked. */
function recorder(answers: (s: string) => boolean = () => true) {
  const asked: string[] = [];
  return { asked, check: async (s: string) => (asked.push(s), answers(s)) };
}

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
  it('after a one-paper answer: what it proposes, what it reports, which other papers share its topic', async () => {
    expect(await suggestFollowUps('What are wide residual networks?', [a], recorder().check)).toEqual([
      'What does “Wide Residual Networks” propose?',
      'What results does “Wide Residual Networks” report?',
      'Which other papers study the topic of “Wide Residual Networks”?',
    ]);
  });

  it('after a two-paper answer: how the two differ and what the second proposes, within the count', async () => {
    const r = recorder();
    const s = await suggestFollowUps('Which papers train very deep networks?', [a, b], r.check);
    expect(s).toEqual(['What does “Wide Residual Networks” propose?', 'What results does “Wide Residual Networks” report?', 'How do “Wide Residual Networks” and “Deep Networks with Stochastic Depth” differ?']);
    expect(s).toHaveLength(DEFAULT_SUGGESTIONS.count);
    // It stops asking once it has enough.
    expect(r.asked).toEqual(s);
  });

  it('offers only the candidates the decision would answer', async () => {
    const r = recorder((s) => !s.startsWith('What results'));
    const s = await suggestFollowUps('What are wide residual networks?', [a, b], r.check);
    expect(s).not.toContain('What results does “Wide Residual Networks” report?');
    expect(r.asked).toContain('What results does “Wide Residual Networks” report?');
    expect(s).toEqual(['What does “Wide Residual Networks” propose?', 'How do “Wide Residual Networks” and “Deep Networks with Stochastic Depth” differ?', 'What does “Deep Networks with Stochastic Depth” propose?']);
    expect(await suggestFollowUps('q', [a], async () => false)).toEqual([]);
  });

  it('suggests nothing without cited papers, and never the question itself', async () => {
    const r = recorder();
    expect(await suggestFollowUps('Anything?', [], r.check)).toEqual([]);
    expect(r.asked).toEqual([]);
    const q = 'What does “Wide Residual Networks” propose?';
    const s = await suggestFollowUps(q.toUpperCase(), [a], recorder().check);
    expect(s).toEqual(['What results does “Wide Residual Networks” report?', 'Which other papers study the topic of “Wide Residual Networks”?']);
  });

  it('names long titles by their head', async () => {
    const long = paper('MUVERA: Multi-Vector Retrieval via Fixed Dimensional Encodings for Very Large Collections');
    // (The options are typed as the defaults' literals, so a test must cast to set one.)
    expect(await suggestFollowUps('q', [long], recorder().check, { count: 1 } as unknown as Partial<typeof DEFAULT_SUGGESTIONS>)).toEqual(['What does “MUVERA” propose?']);
  });
});
