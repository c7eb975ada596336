import { compareIds } from '../util/compare.js';

/** A ranked list from one retriever, best first. */
export type RankedList = readonly { id: string }[];

export interface FusedHit {
  id: string;
  /** Sum over lists of 1 / (k + rank), rank starting at 1. */
  score: number;
  /** 1-based rank in each input list, or null where the list did not return the id. */
  ranks: (number | null)[];
}

/**
 * Reciprocal-rank fusion (Cormack et al., 2009): each list contributes 1 / (k + rank) per item.
 * Ties are broken by the best rank in any list, then by the earlier list, then by id, so the
 * order is fully deterministic.
 *
 * @example
 * reciprocalRankFusion([[{ id: 'a' }, { id: 'b' }], [{ id: 'b' }]]) // b first: it is in both
 */
export function reciprocalRankFusion(lists: readonly RankedList[], k = 60): FusedHit[] {
  return weightedRankFusion(lists, lists.map(() => 1), k);
}

/**
 * Reciprocal-rank fusion with a weight per list: each list contributes weight / (k + rank). With
 * a weight of 0 a list only breaks ties; the weights come from the calibration (`denseWeight`),
 * learned on the collection's own questions. Ties broken as in `reciprocalRankFusion`.
 */
export function weightedRankFusion(lists: readonly RankedList[], weights: readonly number[], k = 60): FusedHit[] {
  const fused = new Map<string, FusedHit>();
  lists.forEach((list, li) => {
    list.forEach(({ id }, i) => {
      let hit = fused.get(id);
      if (!hit) {
        hit = { id, score: 0, ranks: lists.map(() => null) };
        fused.set(id, hit);
      }
      if (hit.ranks[li] !== null) return; // a list naming an id twice counts once, at its best rank
      hit.ranks[li] = i + 1;
      hit.score += (weights[li] ?? 1) / (k + i + 1);
    });
  });
  const bestRank = (h: FusedHit) => Math.min(...h.ranks.map((r, li) => ((weights[li] ?? 1) > 0 ? (r ?? Infinity) : Infinity)));
  const firstList = (h: FusedHit) => h.ranks.findIndex((r) => r === bestRank(h));
  return [...fused.values()].sort(
    (a, b) => b.score - a.score || bestRank(a) - bestRank(b) || firstList(a) - firstList(b) || compareIds(a.id, b.id),
  );
}
