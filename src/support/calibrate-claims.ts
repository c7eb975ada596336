import { quantileSorted } from '../util/quantiles.js';
import type { Paper } from '../corpus/schema.js';
import { splitSentences } from '../corpus/sentences.js';
import type { Retriever } from '../retrieval/retriever.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { STOP_WORDS, words } from '../retrieval/text.js';
import { checkClaim, denseMatches } from './claims.js';
import { between, contentWords, pick, sample, type Rand } from './made-up.js';

/** Defaults of the claim-check calibration (one place). */
export const DEFAULT_CLAIM_CALIBRATION = {
  /** Defaults to 300: abstract sentences that made-up answer claims are written from. */
  claimSentences: 300,
  /** Defaults to 1,000: papers those sentences are drawn from (all of a small collection, a sample of a larger one). */
  claimPapers: 1000,
  /** Defaults to 0.95: share of made-up faithful claims that verification must accept. */
  claimRecall: 0.95,
  /** Defaults to 5: other papers each made-up claim is checked against as a miscitation (the best-matching ones). */
  claimRivals: 5,
  /** Defaults to 0.6: a made-up claim keeps each content word of its sentence with this chance (an answer rewords). */
  claimKeep: 0.6,
  /** Defaults to 4: ... and adds up to this many words from elsewhere (the answer's own wording). */
  claimAdded: 4,
  /** Defaults to 100: made-up claims also checked in the embedder's space, when there is one. */
  claimDense: 100,
  /**
   * Defaults to 0.95: a claim the words miss passes on meaning when its cosine to a cited sentence
   * exceeds this share of the miscitations' best cosines: closer than nearly every miscitation gets.
   */
  claimDenseAbove: 0.95,
} as const;

export interface ClaimCalibration {
  minSupport: number;
  /** The cosine a claim needs to a cited sentence to pass on meaning; null without an embedder. */
  minCosine: number | null;
  report: {
    positives: number;
    negatives: number;
    recall: number;
    rejected: number;
    /** The same for words or meaning, over the claims checked in the embedder's space. */
    withDense: { claims: number; recall: number; rejected: number } | null;
  };
}

/**
 * Calibrates claim verification from claims the collection makes itself: each is an abstract
 * sentence rewritten the way an answer restates it (two fifths of its content words dropped, a few
 * words from elsewhere added). Checked against its own paper it is a faithful claim; checked
 * against the best-matching other papers (the ones a search for it finds) it is a miscitation.
 * The cut accepts `claimRecall` of the faithful claims.
 */
export async function calibrateClaims(retriever: Retriever, all: readonly Paper[], byId: ReadonlyMap<string, Paper>, stats: TermStats, rand: Rand, o: typeof DEFAULT_CLAIM_CALIBRATION = DEFAULT_CLAIM_CALIBRATION): Promise<ClaimCalibration> {
  const filler = sample(rand, all, 100).flatMap((p) => contentWords(p.abstract));
  const pool = all.length <= o.claimPapers ? all : sample(rand, all, o.claimPapers);
  const sentences = pool.flatMap((p) => splitSentences(p.abstract).filter((s) => contentWords(s).length >= 6).map((s) => ({ p, s })));
  const made: { claim: string; own: Paper; rivals: Paper[]; positive: number; negative: number }[] = [];
  for (const { p, s } of sample(rand, sentences, o.claimSentences)) {
    const kept = words(s).filter((w) => STOP_WORDS.has(w) || rand() < o.claimKeep);
    const added = Array.from({ length: between(rand, 0, o.claimAdded) }, () => pick(rand, filler));
    const claim = [...kept, ...added].join(' ');
    const rivals = (await retriever.lists(claim, o.claimRivals + 1, { dense: false })).lexical
      .filter((h) => h.id !== p.id)
      .slice(0, o.claimRivals)
      .map((h) => byId.get(h.id))
      .filter((r): r is Paper => r !== undefined);
    made.push({ claim, own: p, rivals, positive: checkClaim(claim, p, stats).support, negative: Math.max(0, ...rivals.map((r) => checkClaim(claim, r, stats).support)) });
  }
  const positives = made.map((m) => m.positive).sort((a, b) => a - b);
  const minSupport = quantileSorted(positives, 1 - o.claimRecall) ?? 0.5;
  const share = <T>(xs: readonly T[], f: (x: T) => boolean) => (xs.length ? xs.filter(f).length / xs.length : 0);

  // In the embedder's space: the cut above nearly every miscitation, and what words-or-meaning does.
  let minCosine: number | null = null;
  let withDense: ClaimCalibration['report']['withDense'] = null;
  const embedder = retriever.embedder;
  if (embedder) {
    const checked = made.slice(0, o.claimDense);
    const match = await denseMatches(embedder, checked.flatMap((m) => [m.own, ...m.rivals].map((paper) => ({ claim: m.claim, paper }))));
    const own = checked.map((m) => match(m.claim, m.own.id)?.cosine ?? 0);
    const rival = checked.map((m) => Math.max(-1, ...m.rivals.map((r) => match(m.claim, r.id)?.cosine ?? -1)));
    const sortedRival = [...rival].sort((a, b) => a - b);
    minCosine = quantileSorted(sortedRival, o.claimDenseAbove) ?? null;
    if (minCosine !== null) {
      const cut = minCosine;
      const passes = (lexical: number, cos: number) => lexical >= minSupport || cos >= cut;
      withDense = {
        claims: checked.length,
        recall: share(checked.map((m, i) => passes(m.positive, own[i]!)), Boolean),
        rejected: share(checked.map((m, i) => !passes(m.negative, rival[i]!)), Boolean),
      };
    }
  }
  return {
    minSupport,
    minCosine,
    report: {
      positives: positives.length,
      negatives: made.length,
      recall: share(positives, (x) => x >= minSupport),
      rejected: share(made, (m) => m.negative < minSupport),
      withDense,
    },
  };
}
