/**
 * Turns at composing answers: other work (a search arriving) runs between any two slices of the
 * answers in progress, not after all of them; the oldest answer goes on first; events pass through
 * unchanged and an answer its client abandons is closed.
 */
import { describe, expect, it } from 'vitest';
import type { Answerer } from '../../src/answer/answerer.js';
import type { ChatEvent } from '../../src/protocol/chat.js';
import { DEFAULT_TURNS, takingTurns, turnScheduler } from '../../src/server/turns.js';

/** Busy for `ms` of wall time, as composing an answer is (CPU-bound, no I/O). */
const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** An answerer whose answers are `steps` deltas, each after `ms` of CPU work; `log` records them. */
function cpuAnswerer(steps: number, ms: number, log: string[], closed: string[] = []): Answerer {
  return {
    label: 'cpu',
    async *answer(messages) {
      const name = messages[0]!.content;
      try {
        for (let i = 1; i <= steps; i++) {
          busy(ms);
          log.push(`${name}${i}`);
          yield { type: 'delta', text: `${name}${i} ` } as ChatEvent;
        }
      } finally {
        closed.push(name);
      }
    },
  };
}

const drain = async (answerer: Answerer, name: string) => {
  const events: ChatEvent[] = [];
  for await (const e of answerer.answer([{ role: 'user', content: name }])) events.push(e);
  return events;
};

describe('takingTurns', () => {
  it('lets other work run after a slice of steps, not after every answer in progress', async () => {
    const log: string[] = [];
    const answerer = takingTurns(cpuAnswerer(10, 5, log), turnScheduler(setImmediate));
    const answers = Array.from({ length: 10 }, (_, i) => drain(answerer, String.fromCharCode(65 + i)));
    // A search arriving once the answers are under way: how many steps ran before it did?
    let stepsBefore = -1;
    setTimeout(() => (stepsBefore = log.length), 0);
    await Promise.all(answers);
    expect(log).toHaveLength(100);
    // At most one slice (DEFAULT_TURNS.maxSliceMs of 5 ms steps, and the one running past it).
    expect(stepsBefore).toBeGreaterThanOrEqual(0);
    expect(stepsBefore).toBeLessThanOrEqual(Math.ceil(DEFAULT_TURNS.maxSliceMs / 5) + 1);
  });

  it('without turns, the same answers run to their end first (what it prevents)', async () => {
    const log: string[] = [];
    const answerer = cpuAnswerer(10, 2, log);
    const answers = Array.from({ length: 5 }, (_, i) => drain(answerer, String.fromCharCode(65 + i)));
    let stepsBefore = -1;
    const ran = new Promise<void>((r) => setTimeout(() => ((stepsBefore = log.length), r()), 0));
    await Promise.all(answers);
    await ran;
    expect(stepsBefore).toBe(50);
  });

  it('finishes the oldest answer first', async () => {
    const log: string[] = [];
    const answerer = takingTurns(cpuAnswerer(3, 1, log), turnScheduler(setImmediate));
    await Promise.all([drain(answerer, 'A'), drain(answerer, 'B'), drain(answerer, 'C')]);
    expect(log).toEqual(['A1', 'A2', 'A3', 'B1', 'B2', 'B3', 'C1', 'C2', 'C3']);
  });

  it('passes the events through unchanged, and closes an answer its reader abandons', async () => {
    const closed: string[] = [];
    const answerer = takingTurns(cpuAnswerer(5, 0, [], closed), turnScheduler(setImmediate));
    expect((await drain(answerer, 'A')).map((e) => (e.type === 'delta' ? e.text : e.type))).toEqual(['A1 ', 'A2 ', 'A3 ', 'A4 ', 'A5 ']);
    for await (const e of answerer.answer([{ role: 'user', content: 'B' }])) if (e.type === 'delta') break;
    expect(closed).toEqual(['A', 'B']);
    expect(answerer.label).toBe('cpu');
  });
});
