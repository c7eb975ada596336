import type { Answerer } from '../answer/answerer.js';

/** Hands out turns at CPU-bound work, one at a time, so that other requests run in between. */
export interface TurnScheduler {
  /**
   * Resolves when it is the caller's turn. Of those waiting, the lowest `rank` goes first (an answer
   * passes the order it started in: the oldest answer is finished first, so each holds its chat
   * slot as briefly as it can); equal ranks in arrival order.
   */
  turn(rank?: number): Promise<void>;
}

/** Defaults of the turn scheduler (one place). */
export const DEFAULT_TURNS = {
  /**
   * A slice of turns lasts as long as the event loop spent on other work (polling for I/O:
   * searches, new requests) since the last slice ended, so answers get about half the CPU of a busy
   * server and the rest when it is not; but at least this long. Defaults to 4 ms.
   */
  minSliceMs: 4,
  /** ... and at most this long: what a search waits at most for the answers being composed (plus the one step running). Defaults to 16 ms. */
  maxSliceMs: 16,
};

/**
 * Turns in slices: `next` starts one (Node: `setImmediate`, after the event loop has polled for
 * I/O), and for its length (see DEFAULT_TURNS) every turn asked for is given at once to the first
 * in line; then the slice is over until `next` calls back. So a search arriving waits for the end of a slice, not for
 * every answer in progress. The work of a turn runs until its caller next asks for a turn or waits
 * for I/O.
 *
 * @example
 * const turns = turnScheduler(setImmediate)
 */
export function turnScheduler(next: (run: () => void) => void, options: Partial<typeof DEFAULT_TURNS> = {}): TurnScheduler {
  const { minSliceMs, maxSliceMs } = { ...DEFAULT_TURNS, ...options };
  /** Waiting, in the order they go: by rank, then arrival. */
  const waiting: { rank: number; go: () => void }[] = [];
  let scheduled = false;
  let sliceEnds = 0;
  const schedule = () => {
    if (scheduled || !waiting.length) return;
    scheduled = true;
    next(step);
  };
  const step = () => {
    scheduled = false;
    const now = performance.now();
    sliceEnds = now + Math.min(maxSliceMs, Math.max(minSliceMs, now - sliceEnds));
    waiting.shift()?.go();
    schedule();
  };
  return {
    turn: (rank = Number.MAX_SAFE_INTEGER) =>
      new Promise<void>((go) => {
        let at = waiting.length;
        while (at > 0 && waiting[at - 1]!.rank > rank) at--;
        waiting.splice(at, 0, { rank, go });
        if (performance.now() < sliceEnds) waiting.shift()!.go();
        else schedule();
      }),
  };
}

/**
 * The same answerer, taking turns: it waits for a turn before it starts and after each event it
 * yields, so a server composing many answers (CPU-bound, on the one event loop) still answers a
 * search between any two steps of any of them, instead of after all of them. Answers rank by when
 * they started: the oldest goes on first.
 *
 * @example
 * createApp({ ...deps, answerer: takingTurns(answerer, turnScheduler(setImmediate)) })
 */
export function takingTurns(answerer: Answerer, turns: TurnScheduler): Answerer {
  let started = 0;
  return {
    label: answerer.label,
    async *answer(messages, options) {
      const rank = started++;
      await turns.turn(rank);
      const events = answerer.answer(messages, options)[Symbol.asyncIterator]();
      try {
        for (;;) {
          const step = await events.next();
          if (step.done) return;
          yield step.value;
          await turns.turn(rank);
        }
      } finally {
        await events.return?.();
      }
    },
  };
}
