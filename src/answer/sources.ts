import type { Paper } from '../corpus/schema.js';
import type { QuestionIntent } from '../question/intent.js';
import type { RetrievedPaper } from '../retrieval/retriever.js';

/** How many sources an answer is offered (one place; see README). */
export const DEFAULT_SOURCES = {
  /** Sources offered to the composer. */
  count: 5,
  /** Sources offered for a "which papers" question, which lists several. */
  listCount: 8,
  /** Papers an earlier answer cited that a follow-up is about ("they", "that paper"). */
  focus: 2,
  /** The same for a "which papers" follow-up. */
  listFocus: 4,
  /** Weight of other papers next to the papers a follow-up is about. */
  besideFocus: 0.5,
  /** For "which paper introduced X?": the best-ranked sources searched for the one that introduces X. */
  originCandidates: 3,
} as const;
export type SourceOptions = typeof DEFAULT_SOURCES;

export interface SelectedSources {
  sources: Paper[];
  /** Each source's relevance relative to the best one, aligned with `sources`. */
  relative: number[];
}

/** Sources to fetch for a question of this intent. */
export const sourceCount = (intent: QuestionIntent, o: SourceOptions = DEFAULT_SOURCES) => (intent.list || intent.keywords ? o.listCount : o.count);

/**
 * The sources an answer is written from: the retrieved papers, best first, or for a follow-up
 * about cited papers those papers first, then the retrieved others at a discount. Relevance is
 * relative to the best hit: BM25 ratios where the lexical list found the paper, else fused ones.
 */
export function selectSources(hits: readonly RetrievedPaper[], intent: QuestionIntent, focus: readonly Paper[], o: SourceOptions = DEFAULT_SOURCES): SelectedSources {
  const offered = sourceCount(intent, o);
  const lexTop = Math.max(0, ...hits.map((h) => h.lexical?.score ?? 0));
  const relOf = (h: RetrievedPaper) => (h.lexical && lexTop > 0 ? h.lexical.score / lexTop : h.score / (hits[0]?.score || 1));
  if (!focus.length) {
    const top = hits.slice(0, offered);
    return { sources: top.map((h) => h.paper), relative: top.map(relOf) };
  }
  const kept = focus.slice(0, intent.list ? o.listFocus : o.focus);
  const rest = hits.filter((h) => !kept.some((p) => p.id === h.paper.id)).slice(0, offered - kept.length);
  return { sources: [...kept, ...rest.map((h) => h.paper)], relative: [...kept.map(() => 1), ...rest.map((h) => relOf(h) * o.besideFocus)] };
}
