/** Orders strings by UTF-16 code units (as `<` does), ascending: ids and terms, never locale-dependent. */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Orders hits best first, equal scores by id ascending: the one deterministic order of ranked lists. */
export const byScoreThenId = (a: { id: string; score: number }, b: { id: string; score: number }): number => b.score - a.score || compareIds(a.id, b.id);
