import type { Paper } from '../corpus/schema.js';
import { splitSentences } from '../corpus/sentences.js';
import { MARKER_GROUP } from '../protocol/markers.js';
import type { Embedder } from '../retrieval/embedder.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { terms } from '../retrieval/text.js';

/** A literal span of an abstract: `abstract.slice(start, end) === text`. */
export interface Span {
  text: string;
  start: number;
  end: number;
}

/** How well one cited paper bears out one claim. */
export interface ClaimCheck {
  /** The abstract's best-matching sentence, or two adjacent ones. */
  quote: Span;
  /** Share of the claim's IDF mass that the quote (with the paper's title) holds. */
  support: number;
  /** Numbers and names in the claim that neither this paper's title, abstract nor record states. */
  unstated: string[];
}

/** The abstract's sentences as literal spans, in order. */
export function sentenceSpans(abstract: string): Span[] {
  const spans: Span[] = [];
  let at = 0;
  for (const text of splitSentences(abstract)) {
    const start = abstract.indexOf(text, at);
    if (start < 0) continue;
    spans.push({ text, start, end: start + text.length });
    at = start + text.length;
  }
  return spans;
}

/** Numbers in a text: digit runs with their decimals ("2.5", "1,052,730" -> "1052730"). */
const numbersIn = (text: string) => (text.replace(/(\d),(?=\d{3}\b)/g, '$1').match(/\d+(?:\.\d+)?/g) ?? []).map((n) => n.replace(/\.0+$/, ''));

/**
 * Names in a claim: tokens with a capital inside or a digit beside letters ("ImageNet", "GPT-4",
 * "CIFAR-10", "BERT"), and capitalized words that do not open a sentence or follow a colon.
 */
function namesIn(text: string): string[] {
  const out: string[] = [];
  const re = /[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]|[A-Z]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const tok = m[0];
    const before = text.slice(0, m.index).trimEnd();
    const opens = before === '' || /[.!?:;"“(]$/.test(before);
    const inner = /[A-Z]/.test(tok.slice(1)) || (/\d/.test(tok) && /[A-Za-z]/.test(tok));
    if (inner || (!opens && /^[A-Z][a-z]/.test(tok))) out.push(tok);
  }
  return out;
}

/** Lowercased letters and digits only: "CIFAR-10" and "cifar 10" compare equal. */
const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The numbers and names of `claim` that `source` (title, abstract, record) never states. */
export function unstatedIn(claim: string, source: string): string[] {
  const numbers = new Set(numbersIn(source));
  const text = squash(source);
  const missing = [
    ...numbersIn(claim.replace(MARKER_GROUP, ' ')).filter((n) => !numbers.has(n)),
    ...namesIn(claim).filter((name) => !text.includes(squash(name))),
  ];
  return [...new Set(missing)];
}

/** Everything a paper states: title, abstract, and its record's authors and year. */
export const sourceText = (p: Pick<Paper, 'title' | 'abstract' | 'authors' | 'year'>) =>
  [p.title, p.abstract, ...(p.authors ?? []), p.year ?? ''].join('\n');

/**
 * Checks one claim against one paper: the quote is the abstract sentence (or two adjacent ones)
 * that holds the largest share of the claim's IDF mass, counting the title's terms too; `unstated`
 * lists numbers and names the paper never states.
 */
export function checkClaim(claim: string, paper: Pick<Paper, 'title' | 'abstract' | 'authors' | 'year'>, stats: TermStats): ClaimCheck {
  const want = [...new Set(terms(claim))];
  const mass = stats.mass(want);
  const title = new Set(terms(paper.title));
  const spans = sentenceSpans(paper.abstract);
  const windows: Span[] = [
    ...spans,
    ...spans.slice(1).map((s, i) => ({ text: paper.abstract.slice(spans[i]!.start, s.end), start: spans[i]!.start, end: s.end })),
  ];
  let best: { quote: Span; support: number } = { quote: spans[0] ?? { text: '', start: 0, end: 0 }, support: 0 };
  for (const w of windows) {
    const found = new Set(terms(w.text));
    const support = mass > 0 ? stats.mass(want.filter((t) => found.has(t) || title.has(t))) / mass : 1;
    // A pair must add something over its better sentence; ties keep the shorter quote.
    if (support > best.support + 1e-9) best = { quote: w, support };
  }
  return { ...best, unstated: unstatedIn(claim, sourceText(paper)) };
}

/** Cosine similarity of two unit vectors. */
const cosine = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

/** A claim's closest sentence of one paper in the embedder's space. */
export interface DenseMatch {
  cosine: number;
  quote: Span;
}

/**
 * Embeds each claim and the sentences of the papers it is checked against, and returns, per claim
 * and paper, the closest sentence: the dense side of the claim check (a paraphrase the abstract's
 * words miss can still be close in meaning). `pairs` are the (claim, paper) checks wanted.
 */
export async function denseMatches(
  embedder: Embedder,
  pairs: readonly { claim: string; paper: Pick<Paper, 'id' | 'abstract'> }[],
): Promise<(claim: string, paperId: string) => DenseMatch | undefined> {
  const claims = [...new Set(pairs.map((p) => p.claim))];
  const papers = [...new Map(pairs.map((p) => [p.paper.id, p.paper])).values()];
  const spans = papers.map((p) => sentenceSpans(p.abstract));
  const flat = spans.flat();
  const vectors = flat.length + claims.length ? await embedder.embedDocuments([...claims, ...flat.map((s) => s.text)]) : [];
  const claimVec = new Map(claims.map((c, i) => [c, vectors[i]!]));
  const sentenceVecs = new Map<string, { span: Span; v: number[] }[]>();
  let at = claims.length;
  papers.forEach((p, i) => sentenceVecs.set(p.id, spans[i]!.map((span) => ({ span, v: vectors[at++]! }))));
  const table = new Map<string, DenseMatch>();
  for (const { claim, paper } of pairs) {
    const cv = claimVec.get(claim)!;
    let best: DenseMatch | undefined;
    for (const { span, v } of sentenceVecs.get(paper.id) ?? []) {
      const c = cosine(cv, v);
      if (!best || c > best.cosine) best = { cosine: c, quote: span };
    }
    if (best) table.set(`${paper.id}\u0000${claim}`, best);
  }
  return (claim, paperId) => table.get(`${paperId}\u0000${claim}`);
}
