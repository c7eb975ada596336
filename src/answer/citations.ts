import type { Citation, Source } from '../protocol/chat.js';
import { MARKER_GROUP, parseMarkerGroup } from '../protocol/markers.js';

export interface CitedAnswer {
  answer: string;
  citations: Citation[];
  /** Marker numbers that pointed to no source and were removed. */
  removedMarkers: number[];
}

/**
 * Validates the markers of an answer written against numbered `sources`: markers pointing to no
 * source are removed (and reported); every other marker keeps its number, the number the `sources`
 * event gave it, so a client that rendered "[3]" while the answer streamed never sees it change.
 * The citation list holds exactly the cited sources, by number.
 *
 * @example
 * finalizeCitations('A [3]. B [7].', [{ n: 3, id: 'x', title: 'X' }])
 * // { answer: 'A [3]. B.', citations: [{ n: 3, id: 'x', title: 'X' }], removedMarkers: [7] }
 */
export function finalizeCitations(text: string, sources: readonly Source[]): CitedAnswer {
  const byN = new Map(sources.map((s) => [s.n, s]));
  const cited = new Map<number, Citation>();
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
        if (!cited.has(n)) cited.set(n, { n, id: source.id, title: source.title });
        if (!kept.includes(n)) kept.push(n);
      }
      return kept.map((m) => `[${m}]`).join('');
    })
    // The same marker twice in a row says nothing more: "[1][1]" -> "[1]".
    .replace(/(\[\d+\])(?:\s*\1)+/g, '$1')
    // Tidy the gaps left by removed markers: "claim ." -> "claim."
    .replace(/[ \t]+([.,;:!?])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  const citations = [...cited.values()].sort((a, b) => a.n - b.n);
  return { answer, citations, removedMarkers: [...removed].sort((a, b) => a - b) };
}
