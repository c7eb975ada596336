import type { TermStats } from '../../retrieval/term-stats.js';
import { verifyAnswer } from '../../support/claims.js';
import type { Composer, Composition } from './composer.js';

export interface EvidenceOptions {
  stats: TermStats;
  /** Support a claim needs from its quote: the calibrated cut (`Calibration.claims.minSupport`). */
  minSupport: number;
  /**
   * Below this share of verified claims the answer is not used: the composer fails, so a
   * `withFallback` around it answers instead. Unset: every answer is kept, its claims reported.
   */
  minVerified?: number;
}

/** An answer most of whose claims its cited abstracts do not bear out. */
export class UnverifiedAnswer extends Error {
  override name = 'UnverifiedAnswer';
}

/**
 * A composer with the same interface that checks each cited claim of the answer against the
 * abstracts it cites (`verifyAnswer`) before the answer is final: every citation gains the quote
 * it rests on, unsupported claims are reported, and `verified` says what share held.
 */
export function withEvidence(composer: Composer, options: EvidenceOptions): Composer {
  return {
    mode: composer.mode,
    async *compose(input, signal): AsyncGenerator<string, Composition> {
      const c = yield* composer.compose(input, signal);
      if (c.kind !== 'answer') return c;
      const v = verifyAnswer(c.answer, (n) => input.sources[n - 1], options.stats, options.minSupport);
      if (options.minVerified !== undefined && v.verified !== null && v.verified < options.minVerified) {
        throw new UnverifiedAnswer(`most of the answer is not found in the abstracts it cites (${Math.round(v.verified * 100)}% of its claims verified)`);
      }
      return {
        ...c,
        citations: c.citations.map((x) => {
          const quote = v.quotes.get(x.n);
          return quote ? { ...x, quote } : x;
        }),
        unsupported: v.unsupported,
        ...(v.verified !== null ? { verified: v.verified } : {}),
      };
    },
  };
}
