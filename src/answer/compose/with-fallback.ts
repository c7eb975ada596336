import type { Composer, Composition } from './composer.js';

export interface FallbackOptions {
  /** Told why the primary failed, before the fallback runs. */
  onFallback?: (reason: string, error: unknown) => void;
}

/**
 * A composer with the same interface that tries `primary` and, when it fails, hands the same input
 * to `fallback`; the result names the reason in `fallback`. Aborts are re-thrown, never hidden.
 * Text the primary already streamed is not followed by the fallback's deltas: its finished answer
 * (the `done` event) replaces what the client has shown.
 */
export function withFallback(primary: Composer, fallback: Composer, options: FallbackOptions = {}): Composer {
  return {
    mode: primary.mode,
    async *compose(input, signal): AsyncGenerator<string, Composition> {
      let streamed = false;
      try {
        const gen = primary.compose(input, signal);
        for (let r = await gen.next(); ; r = await gen.next()) {
          if (r.done) return r.value;
          streamed = true;
          yield r.value;
        }
      } catch (e) {
        if (signal?.aborted) throw e;
        const reason = e instanceof Error ? e.message : String(e);
        options.onFallback?.(reason, e);
        const gen = fallback.compose(input, signal);
        for (let r = await gen.next(); ; r = await gen.next()) {
          if (r.done) return r.value.kind === 'answer' ? { ...r.value, fallback: reason } : r.value;
          if (!streamed) yield r.value;
        }
      }
    },
  };
}
