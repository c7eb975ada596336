import type { Citation, Source } from '../protocol/chat.js';
import { MARKER_GROUP, parseMarkerGroup } from '../protocol/markers.js';

export interface CitedAnswer {
  answer: string;
  citations: Citation[];
  /** Marker numbers that pointed to no source and were removed. */
  removedMarkers: number[];
}

/**
 * Validates and renumbers the markers of an answer written against numbered `sources`:
 * markers pointing to no source are removed (and reported); the cited sources are renumbered
 * 1, 2, ... in order of first use; the citation list holds exactly the cited sources.
 *
 * @example
 * finalizeCitations('A [3]. B [7].', [{ n: 3, id: 'x', title: 'X' }])
 * // { answer: 'A [1]. B.', citations: [{ n: 1, id: 'x', title: 'X' }], removedMarkers: [7] }
 */
export function finalizeCitations(text: string, sources: readonly Source[]): CitedAnswer {
  const byN = new Map(sources.map((s) => [s.n, s]));
  const renumber = new Map<number, number>();
  const citations: Citation[] = [];
  const removed = new Set<number>();
  const answer = text
    .replace(MARKER_GROUP, (whole: string, group: string) => {
      const nums = parseMarkerGroup(group);
      if (!nums) return whole;
      const kept: number[] = [];
      for (const n of nums) {
        const source = byN.get(n);
        if (!source) {
          removed.add(n);
          continue;
        }
        if (!renumber.has(n)) {
          renumber.set(n, citations.length + 1);
          citations.push({ n: citations.length + 1, id: source.id, title: source.title });
        }
        const m = renumber.get(n)!;
        if (!kept.includes(m)) kept.push(m);
      }
      return kept.map((m) => `[${m}]`).join('');
    })
    // The same marker twice in a row says nothing more: "[1][1]" -> "[1]".
    .replace(/(\[\d+\])(?:\s*\1)+/g, '$1')
    // Tidy the gaps left by removed markers: "claim ." -> "claim."
    .replace(/[ \t]+([.,;:!?])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  return { answer, citations, removedMarkers: [...removed].sort((a, b) => a - b) };
}
