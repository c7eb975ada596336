import type { Paper } from '../corpus/schema.js';
import { splitSentences } from '../corpus/sentences.js';
import { MARKER_GROUP, parseMarkerGroup } from '../protocol/markers.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { terms } from '../retrieval/text.js';
import { checkClaim, type DenseMatch, type Span } from './claims.js';

/** A source as attribution sees it: its number in the answer and its record. */
export interface NumberedPaper {
  n: number;
  paper: Pick<Paper, 'id' | 'title' | 'abstract' | 'authors' | 'year' | 'url'>;
}

/** One sentence of a written answer, after attribution. */
export interface AttributedSentence {
  /** The sentence as the final answer shows it, markers included. */
  text: string;
  /** The sentence without markers: what was checked. */
  claim: string;
  /** The sources that support it (or, for an unsupported claim, the ones it cited). */
  markers: number[];
  /** `supported`: a source bears it out; `unsupported`: it claims something about the papers that none does. */
  status: 'supported' | 'unsupported';
  /** For a supported sentence, the quote of each supporting source. */
  quotes: Map<number, { quote: Span; support: number }>;
  /** How attribution changed the writer's markers: none, a marker added, or moved to another source. */
  change: 'none' | 'added' | 'moved';
  /** Layout of the written answer: starts a line, as a list item. */
  lineStart: boolean;
  bullet: boolean;
}

/** Why a written sentence was left out of the answer. */
export type DroppedReason = 'no claim' | 'repeats the question' | 'link not in the sources' | 'not about the papers';

export interface AttributionOptions {
  stats: TermStats;
  /** Support a claim needs from a quote: the calibrated cut (`Calibration.claims.minSupport`). */
  minSupport: number;
  /** The question: a sentence that only repeats it is no claim. */
  question: string;
  /** Dense matches (claim, paper id) → closest sentence, for claims the words miss; with their cut. */
  dense?: { match: (claim: string, paperId: string) => DenseMatch | undefined; minCosine: number };
}

/** A written sentence split from its markers, before checking. */
export interface WrittenSentence {
  claim: string;
  markers: number[];
  /** Starts a new line of the answer (a list item or paragraph). */
  lineStart: boolean;
  bullet: boolean;
}

const URL = /\bhttps?:\/\/[^\s)\]>"']+/gi;

/**
 * Splits written text into sentences with the markers each carries. A marker group right after a
 * sentence's full stop ("… results. [2]") belongs to that sentence, as writers mean it.
 */
export function writtenSentences(text: string): WrittenSentence[] {
  const out: WrittenSentence[] = [];
  // "[1] Title A [2] Title B": a line led by a marker is a list whose items each open with their marker.
  const group = MARKER_GROUP.source.replace('(', '(?:');
  const lines = text.split('\n').flatMap((line) => (new RegExp(`^\\s*${group}`).test(line) ? line.split(new RegExp(`\\s+(?=${group})`)) : [line]));
  for (const rawLine of lines) {
    const bullet = /^\s*(?:[-*•]|\d+[.)])\s+/.test(rawLine);
    const line = rawLine.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').replace(new RegExp(`([.!?])((?:\\s*${MARKER_GROUP.source})+)`, 'g'), '$2$1');
    if (!line.trim()) continue;
    splitSentences(line).forEach((sentence, i) => {
      const markers: number[] = [];
      const claim = sentence
        .replace(MARKER_GROUP, (whole, group: string) => {
          const nums = parseMarkerGroup(group);
          if (!nums) return whole;
          for (const n of nums) if (!markers.includes(n)) markers.push(n);
          return ' ';
        })
        .replace(/\s+/g, ' ')
        .replace(/ ([.,;:!?])/g, '$1')
        .trim();
      out.push({ claim, markers, lineStart: i === 0, bullet: bullet && i === 0 });
    });
  }
  return out;
}

/** What attribution made of one written sentence: kept (supported or marked unsupported), or left out. */
export type AttributionResult = { kept: AttributedSentence } | { dropped: DroppedReason; claim: string };

/**
 * The server owns the citations: a written sentence is checked against every source, whether it
 * carries a marker or not. One a source bears out cites that source (the writer's marker kept when
 * it points to a supporting source, else added, or moved to the best one); one no source bears
 * out is marked unsupported, with the writer's markers. Sentences that are no claim (bare markers,
 * a repeated question, text that shares nothing with any source) and sentences linking to an
 * address no source's record holds are left out. Pure.
 */
export function attributeSentence(w: WrittenSentence, sources: readonly NumberedPaper[], options: AttributionOptions): AttributionResult {
  const { stats, minSupport } = options;
  const drop = (reason: DroppedReason): AttributionResult => ({ dropped: reason, claim: w.claim });
  const claimTerms = [...new Set(terms(w.claim))];
  const known = new Set(sources.flatMap((s) => [...(s.paper.url ? [s.paper.url] : []), ...(s.paper.abstract.match(URL) ?? [])]));
  if ((w.claim.match(URL) ?? []).some((l) => !known.has(l.replace(/[.,;:]+$/, '')))) return drop('link not in the sources');
  if (!claimTerms.length && !/\d/.test(w.claim)) return drop('no claim');
  const asked = new Set(terms(options.question));
  if (claimTerms.every((t) => asked.has(t)) && claimTerms.length >= asked.size * 0.8) return drop('repeats the question');
  const checks = sources.map((s) => {
    const c = checkClaim(w.claim, s.paper, stats);
    const near = c.support < minSupport ? options.dense?.match(w.claim, s.paper.id) : undefined;
    const byMeaning = near !== undefined && near.cosine >= options.dense!.minCosine;
    const support = byMeaning ? Math.max(c.support, minSupport) : c.support;
    return { n: s.n, quote: byMeaning ? near.quote : c.quote, support, holds: support >= minSupport && !c.unstated.length };
  });
  const base = { claim: w.claim, lineStart: w.lineStart, bullet: w.bullet };
  const holding = checks.filter((c) => c.holds).sort((a, b) => b.support - a.support || a.n - b.n);
  if (holding.length) {
    const kept = holding.filter((c) => w.markers.includes(c.n));
    const cite = kept.length ? kept : [holding[0]!];
    const change = kept.length ? 'none' : w.markers.length ? 'moved' : 'added';
    const markers = cite.map((c) => c.n);
    return { kept: { ...base, text: withMarkers(w.claim, markers), markers, status: 'supported', quotes: new Map(cite.map((c) => [c.n, { quote: c.quote, support: c.support }])), change } };
  }
  // Nothing of it is in any source: not a claim about these papers (a greeting, outside knowledge).
  if (Math.max(0, ...checks.map((c) => c.support)) === 0) return drop('not about the papers');
  const best = [...checks].sort((a, b) => b.support - a.support)[0]!;
  const cited = w.markers.filter((n) => sources.some((s) => s.n === n));
  const markers = cited.length ? cited : [best.n];
  return { kept: { ...base, text: withMarkers(w.claim, markers), markers, status: 'unsupported', quotes: new Map(), change: 'none' } };
}

/** A claim with its markers before the closing punctuation: "It is fast [2]." */
export function withMarkers(claim: string, markers: readonly number[]): string {
  const marks = markers.map((n) => `[${n}]`).join('');
  if (!marks) return claim;
  const end = /[.!?;:]*$/.exec(claim)![0];
  return `${claim.slice(0, claim.length - end.length).trimEnd()} ${marks}${end || '.'}`;
}

/** Attributed sentences as answer text: sentences of a line joined by spaces, list items as "- ". */
export function joinSentences(sentences: readonly Pick<AttributedSentence, 'text' | 'lineStart' | 'bullet'>[]): string {
  let out = '';
  for (const s of sentences) {
    if (out && s.lineStart) out += '\n';
    else if (out) out += ' ';
    out += (s.bullet ? '- ' : '') + s.text;
  }
  return out;
}
