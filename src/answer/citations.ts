import type { Citation, Source } from './schema.js';

/** `[3]`, `[1, 2]`, `[1][2]`, `[1-3]`-style groups; digits and separators only. */
const MARKER_GROUP = /\[(\d+(?:\s*[,;–-]\s*\d+)*)\]/g;

/** Marker numbers above this are not citations (a year such as [2020]); nor is a group such as [0, 1]. */
const MAX_MARKER = 99;

/**
 * The source numbers a marker group names, with ranges expanded ("1-3" -> 1, 2, 3), or null when
 * the brackets hold something else: an interval such as [0, 1], or a year.
 */
export function parseMarkerGroup(group: string): number[] | null {
  const nums: number[] = [];
  const parts = group.split(/\s*[,;]\s*/);
  for (const part of parts) {
    const [a, b] = part.split(/\s*[–-]\s*/).map(Number) as [number, number | undefined];
    const end = b ?? a;
    // "[0, 1]" or "[0-1]" is an interval; a lone "[0]" is a (wrong) marker.
    if ((a < 1 && (parts.length > 1 || b !== undefined)) || end < a || end > MAX_MARKER) return null;
    for (let n = a; n <= end; n++) nums.push(n);
  }
  return nums;
}

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

/** The numbers of the markers in a text, in order of appearance. */
export function markersIn(text: string): number[] {
  return [...text.matchAll(MARKER_GROUP)].flatMap((m) => parseMarkerGroup(m[1]!) ?? []);
}
