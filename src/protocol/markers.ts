/**
 * The one citation-marker grammar, shared by the server (validation, renumbering) and the browser
 * (rendering chips). No runtime dependencies.
 */

/** `[3]`, `[1, 2]`, `[1][2]`, `[1-3]`-style groups; digits and separators only. */
export const MARKER_GROUP = /\[(\d+(?:\s*[,;–-]\s*\d+)*)\]/g;

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

/** The numbers of the markers in a text, in order of appearance. */
export function markersIn(text: string): number[] {
  return [...text.matchAll(MARKER_GROUP)].flatMap((m) => parseMarkerGroup(m[1]!) ?? []);
}
