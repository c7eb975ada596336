import type { Embedder } from '../../retrieval/embedder.js';
import type { TermStats } from '../../retrieval/term-stats.js';
import { answerClaims, denseMatches, verifyAnswer } from '../../support/claims.js';
import type { Composer, Composition } from './composer.js';

export interface EvidenceOptions {
  stats: TermStats;
  /** Support a claim needs from its quote: the calibrated cut (`Calibration.claims.minSupport`). */
  minSupport: number;
  /**
   * The dense side of the check: a claim whose words its cited abstract misses still passes when a
   * sentence is `minCosine` close in this embedder's space (`Calibration.claims.minCosine`).
   */
  dense?: { embedder: Embedder; minCosine: number } | null;
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
      const paperOf = (n: number) => input.sources[n - 1];
      let v = verifyAnswer(c.answer, paperOf, options.stats, options.minSupport);
      // Only claims the words miss are embedded (with their cited papers' sentences): extractive
      // answers, the abstracts' own sentences, never pay for it.
      if (v.unsupported.length && options.dense) {
        const { embedder, minCosine } = options.dense;
        const missed = new Set(v.unsupported.map((u) => u.sentence));
        const pairs = answerClaims(c.answer)
          .filter((claim) => missed.has(claim.sentence))
          .flatMap((claim) => claim.markers.flatMap((n) => (paperOf(n) ? [{ claim: claim.claim, paper: paperOf(n)! }] : [])));
        const match = await denseMatches(embedder, pairs);
        v = verifyAnswer(c.answer, paperOf, options.stats, options.minSupport, { match, minCosine });
      }
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
