/**
 * `withRecords`: which answers are recorded and which questions are gaps, from the decision trace
 * the pipeline attaches to its `done` event (or, without one, from the result). The answerer here
 * replays fixed events: the decisions under test are the recorder's, not the pipeline's.
 */
import { describe, expect, it } from 'vitest';
import type { Answerer } from '../../src/answer/answerer.js';
import { withRecords } from '../../src/insights/recorder.js';
import type { ChatEvent, ChatResult, DecisionTrace } from '../../src/protocol/chat.js';
import { openSqliteStore } from '../../src/sqlite-store.js';

const SIGNATURE = 'c'.repeat(64);
const answered: ChatResult = { answer: 'It does [1].', citations: [{ n: 1, id: 'p-1', title: 'P' }], abstained: false, mode: 'extractive', signature: SIGNATURE, verified: 1 };

/** An answerer that replays these events. */
const replaying = (events: ChatEvent[]): Answerer => ({
  label: 'replay',
  async *answer() {
    yield* events;
  },
});

async function run(result: ChatResult, trace: DecisionTrace | undefined, options: Parameters<typeof withRecords>[2] = {}) {
  const { store, close } = await openSqliteStore(':memory:');
  const logged: string[] = [];
  const answerer = withRecords(replaying([{ type: 'sources', sources: [] }, { type: 'delta', text: result.answer }, { type: 'done', result, ...(trace ? { trace } : {}) }]), store, options, (m) => logged.push(m));
  const seen: ChatEvent[] = [];
  for await (const e of answerer.answer([{ role: 'user', content: 'earlier' }, { role: 'assistant', content: 'x' }, { role: 'user', content: '  the question  ' }])) seen.push(e);
  const out = { seen, logged, answer: await store.answer(SIGNATURE), gaps: await store.gaps(10) };
  close();
  return out;
}

describe('withRecords', () => {
  it('records the signed answer with the last user message, its citations and the decision; passes every event on', async () => {
    const { seen, answer, gaps } = await run(answered, { kind: 'answer', probability: 0.9, query: 'q' });
    expect(seen.map((e) => e.type)).toEqual(['sources', 'delta', 'done']);
    expect(answer).toMatchObject({ question: 'the question', citations: ['p-1'], abstained: false, verified: 1, decision: 'answer', probability: 0.9 });
    expect(gaps).toEqual([]);
  });

  it('an answer below the weak cut is a gap though it was given; the cut is an option', async () => {
    expect((await run(answered, { kind: 'answer', probability: 0.3, query: 'q' })).gaps).toMatchObject([{ question: 'the question', decision: 'answer', probability: 0.3 }]);
    expect((await run(answered, { kind: 'answer', probability: 0.3, query: 'q' }, { weakBelow: 0.2 })).gaps).toEqual([]);
  });

  it('every abstention kind is a gap; without a trace the result tells', async () => {
    const abstained: ChatResult = { ...answered, abstained: true, citations: [], abstention: { kind: 'not_stated' } };
    expect((await run(abstained, { kind: 'not_stated', probability: 0.7, query: 'q' })).gaps).toMatchObject([{ decision: 'not_stated' }]);
    expect((await run(abstained, undefined)).gaps).toMatchObject([{ decision: 'not_stated', probability: null }]);
    expect((await run({ ...abstained, abstention: undefined }, undefined)).gaps).toMatchObject([{ decision: 'not_covered' }]);
  });

  it('answers: false records no answer; gaps: false logs no gap', async () => {
    expect((await run(answered, { kind: 'refused', probability: null, query: 'q' }, { answers: false })).answer).toBeNull();
    expect((await run(answered, { kind: 'refused', probability: null, query: 'q' }, { gaps: false })).gaps).toEqual([]);
  });

  it('a store that fails is logged, and the answer still goes out', async () => {
    const { store, close } = await openSqliteStore(':memory:');
    close(); // every write now throws
    const logged: string[] = [];
    const seen: ChatEvent[] = [];
    for await (const e of withRecords(replaying([{ type: 'done', result: answered }]), store, {}, (m) => logged.push(m)).answer([{ role: 'user', content: 'q' }])) seen.push(e);
    expect(seen).toHaveLength(1);
    expect(logged[0]).toMatch(/records: could not record an answer/);
  });
});
