import type { Citation } from '../../protocol/chat.js';
import type { Span } from '../../support/claims.js';
import { surface, type AnsweringPaper } from '../../support/decide.js';
import type { Passage } from '../../support/passages.js';
import { numbered, paperName, type ComposeInput, type Composer, type Composition } from './composer.js';

/** Defaults of extractive answers (one place). */
export const DEFAULT_EXTRACTIVE = {
  /** Defaults to 3: sentences quoted from the paper of a one-paper answer. */
  maxSentences: 3,
  /** Defaults to 120: words of a one-paper answer's quotes. */
  maxWords: 120,
  /** Defaults to 220: words of a list answer; past it a paper is listed by its title alone. */
  maxListWords: 220,
} as const;
export type ExtractiveOptions = Partial<typeof DEFAULT_EXTRACTIVE>;

/** Said when the question is not in English and no LLM can rewrite it. */
export const ENGLISH_ONLY_NOTE = '(The papers are in English: I searched them with the words of your question that English shares, and quote them as written.)';

const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** The sentences quoted for one paper: its best passage, then sentences adding question terms the earlier ones lack. */
function quoted(p: AnsweringPaper, max: { sentences: number; words: number }): Passage[] {
  const lead = p.passages[0]?.sentences ?? [];
  const chosen: Passage[] = [...lead];
  const covered = new Set(lead.flatMap((s) => [...s.terms]));
  for (const passage of p.passages.slice(1)) {
    if (chosen.length >= max.sentences || passage.sentences.length !== 1) continue;
    const s = passage.sentences[0]!;
    if (chosen.some((c) => c.index === s.index) || passage.coverage < (p.passages[0]?.coverage ?? 0) * 0.5) continue;
    if (![...s.terms].some((t) => !covered.has(t) && passage.coverage > 0)) continue;
    if (wordCount(chosen.map((c) => c.text).join(' ')) + wordCount(s.text) > max.words) continue;
    chosen.push(s);
    for (const t of s.terms) covered.add(t);
  }
  return chosen.sort((a, b) => a.index - b.index);
}

/** The sentences a one-paper answer quotes for its lead paper (the paper the answer rests on). */
export function leadSentences(input: ComposeInput, options: ExtractiveOptions = {}): Passage[] {
  const o = { ...DEFAULT_EXTRACTIVE, ...options };
  const lead = input.decision.papers[0];
  return lead ? quoted(lead, { sentences: o.maxSentences, words: o.maxWords }) : [];
}

/** Sentences as one quote: adjacent ones run on, a gap is marked with an ellipsis. */
function quote(sentences: readonly Passage[]): string {
  return sentences.map((s, i) => (i > 0 && s.index !== sentences[i - 1]!.index + 1 ? `… ${s.text}` : s.text)).join(' ');
}

/** The citation quote: the lead passage as one literal span of the abstract. */
const spanOf = (abstract: string, sentences: readonly Passage[]): Span | undefined => {
  const first = sentences[0];
  if (!first) return undefined;
  const run = sentences.filter((s, i) => i === 0 || s.index === sentences[i - 1]!.index + 1);
  const end = run[run.length - 1]!.end;
  return { text: abstract.slice(first.start, end), start: first.start, end };
};

/**
 * Writes the answer from the papers' own sentences, each quote attributed to its paper so that
 * "we" reads as the authors, and cited: faithful by construction. A one-paper answer quotes the
 * passage that states what is asked (the asked target, a stated value) and sentences that add the
 * question's other terms; a list gives each paper its most relevant sentence; a follow-up says for
 * which cited papers the abstract does not state what is asked.
 */
export function composeExtractive(input: ComposeInput, options: ExtractiveOptions = {}): { answer: string; citations: Citation[] } {
  const o = { ...DEFAULT_EXTRACTIVE, ...options };
  const { decision, sources } = input;
  const nOf = (id: string) => sources.findIndex((s) => s.id === id) + 1;
  const citations = new Map<number, Citation>();
  const cite = (p: AnsweringPaper, sentences: readonly Passage[]) => {
    const n = nOf(p.paper.id);
    const q = spanOf(p.paper.abstract, sentences);
    if (!citations.has(n)) citations.set(n, { n, id: p.paper.id, title: p.paper.title, ...(q ? { quote: q } : {}) });
    return n;
  };
  const lines: string[] = [];
  if (decision.shape === 'prose') {
    decision.papers.forEach((p, i) => {
      const sentences = i === 0 ? quoted(p, { sentences: o.maxSentences, words: o.maxWords }) : (p.passages[0]?.sentences.slice(0, 1) ?? []);
      if (!sentences.length) return;
      lines.push(`${paperName(p.paper.title)}: "${quote(sentences)}" [${cite(p, sentences)}]`);
    });
  } else {
    let used = 0;
    for (const p of decision.papers) {
      const single = p.passages.find((x) => x.sentences.length === 1)?.sentences ?? p.passages[0]?.sentences ?? [];
      const n = cite(p, single);
      const text = quote(single);
      if (!text || used + wordCount(text) > o.maxListWords) lines.push(`- ${p.paper.title} [${n}]`);
      else lines.push(`- ${p.paper.title} [${n}]: "${text}"`);
      used += wordCount(text);
    }
  }
  for (const p of decision.unstated) {
    const asked = decision.ask.target.length ? `the ${surface(decision.ask.asked, decision.ask.target)}` : 'what you asked';
    lines.push(`- ${p.paper.title} [${cite(p, p.passages[0]?.sentences ?? [])}]: its abstract does not state ${asked}.`);
  }
  if (!input.english) lines.push(ENGLISH_ONLY_NOTE);
  return { answer: lines.join('\n'), citations: [...citations.values()].sort((a, b) => a.n - b.n) };
}

/** Splits text into sentence-sized pieces so an extractive answer streams like a generated one. */
export const pieces = (text: string) => text.match(/[^\n]*?(?:\[\d+\]|\n|$)\s*/g)?.filter(Boolean) ?? [text];

/** The extractive answer as a composer: faithful by construction, never fails. */
export function extractiveComposer(options: ExtractiveOptions = {}): Composer {
  return {
    mode: 'extractive',
    async *compose(input): AsyncGenerator<string, Composition> {
      const { answer, citations } = composeExtractive(input, options);
      for (const piece of pieces(answer)) yield piece;
      return { kind: 'answer', mode: 'extractive', answer, citations, verified: 1, unsupported: [] };
    },
  };
}

export { numbered };
