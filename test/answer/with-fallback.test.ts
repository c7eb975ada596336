/** withFallback: the same Composer interface; the fallback answers when the primary fails, aborts are not hidden. */
import { describe, expect, it } from 'vitest';
import type { Composer, ComposeInput, Composition } from '../../src/answer/compose/composer.js';
import { withFallback } from '../../src/answer/compose/with-fallback.js';

/** The composers here never read their input: a decision to answer from no papers stands in. */
const input = { question: 'q', query: 'q', english: true, sources: [], decision: { kind: 'answer', shape: 'prose', papers: [], unstated: [] } } as unknown as ComposeInput;
const answer = (text: string, mode: 'llm' | 'extractive'): Composition => ({ kind: 'answer', answer: text, citations: [], mode });

function fake(mode: Composer['mode'], deltas: string[], end: Composition | Error): Composer {
  return {
    mode,
    async *compose() {
      for (const d of deltas) yield d;
      if (end instanceof Error) throw end;
      return end;
    },
  };
}

async function run(c: Composer, signal?: AbortSignal) {
  const deltas: string[] = [];
  const gen = c.compose(input, signal);
  for (let r = await gen.next(); ; r = await gen.next()) {
    if (r.done) return { deltas, result: r.value };
    deltas.push(r.value);
  }
}

describe('withFallback', () => {
  const backup = fake('extractive', ['b1 ', 'b2'], answer('b1 b2', 'extractive'));

  it('passes the primary through when it succeeds', async () => {
    const seen: string[] = [];
    const c = withFallback(fake('llm', ['a'], answer('a', 'llm')), backup, { onFallback: (r) => seen.push(r) });
    expect(c.mode).toBe('llm');
    expect(await run(c)).toEqual({ deltas: ['a'], result: answer('a', 'llm') });
    expect(seen).toEqual([]);
  });

  it('passes the primary’s "not covered" through without falling back', async () => {
    const c = withFallback(fake('llm', [], { kind: 'not-covered', mode: 'llm' }), backup);
    expect(await run(c)).toEqual({ deltas: [], result: { kind: 'not-covered', mode: 'llm' } });
  });

  it('streams the fallback when the primary fails before writing, and names the reason', async () => {
    const seen: [string, unknown][] = [];
    const error = new Error('upstream 500');
    const c = withFallback(fake('llm', [], error), backup, { onFallback: (r, e) => seen.push([r, e]) });
    expect(await run(c)).toEqual({ deltas: ['b1 ', 'b2'], result: { ...answer('b1 b2', 'extractive'), fallback: 'upstream 500' } });
    expect(seen).toEqual([['upstream 500', error]]);
  });

  it("does not append the fallback's deltas to text the primary already streamed: its result replaces it", async () => {
    const c = withFallback(fake('llm', ['half an ans'], new Error('stalled')), backup);
    expect(await run(c)).toEqual({ deltas: ['half an ans'], result: { ...answer('b1 b2', 'extractive'), fallback: 'stalled' } });
  });

  it('re-throws when the caller aborted, without falling back', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    let fellBack = false;
    const c = withFallback(fake('llm', [], new Error('aborted')), backup, { onFallback: () => (fellBack = true) });
    await expect(run(c, ctrl.signal)).rejects.toThrow('aborted');
    expect(fellBack).toBe(false);
  });
});
