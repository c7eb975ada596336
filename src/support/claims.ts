import type { Paper } from '../corpus/schema.js';
import { splitSentences } from '../corpus/sentences.js';
import { MARKER_GROUP, parseMarkerGroup } from '../protocol/markers.js';
import type { Embedder } from '../retrieval/embedder.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { terms } from '../retrieval/text.js';

/** A literal span of an abstract: `abstract.slice(start, end) === text`. */
export interface Span {
  text: string;
  start: number;
  end: number;
}

/** One cited claim of an answer: a sentence (or list line) and the markers it carries. */
export interface AnswerClaim {
  /** The claim as it appears in the answer, markers included (a list line without its bullet). */
  sentence: string;
  /** The claim without its markers and list bullet: what is checked. */
  claim: string;
  markers: number[];
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

/**
 * The cited claims of an answer, in order. A claim ends at a marker group (with the punctuation
 * right after it); text after a line's last marker belongs to that line's last claim, so a list
 * line "- Title [2]: what it does" is one claim citing [2]. Text that cites nothing is not a claim.
 */
export function answerClaims(answer: string): AnswerClaim[] {
  const claims: AnswerClaim[] = [];
  for (const line of answer.split('\n')) {
    const onLine: AnswerClaim[] = [];
    let m: RegExpExecArray | null;
    const re = new RegExp(MARKER_GROUP.source + String.raw`[.,;:!?)]*`, 'g');
    let from = 0;
    while ((m = re.exec(line))) {
      const nums = parseMarkerGroup(m[1]!);
      if (!nums) continue;
      // Adjacent groups ("[1][2]") belong to one claim.
      const prev = onLine[onLine.length - 1];
      const between = line.slice(from, m.index);
      if (prev && !between.trim()) {
        prev.sentence = (prev.sentence + between + m[0]).trim();
        prev.markers.push(...nums.filter((n) => !prev.markers.includes(n)));
      } else onLine.push({ sentence: (between + m[0]).trim(), claim: '', markers: [...new Set(nums)] });
      from = m.index + m[0].length;
    }
    const rest = line.slice(from);
    const last = onLine[onLine.length - 1];
    if (last && rest.trim()) last.sentence = `${last.sentence}${rest}`.trim();
    for (const c of onLine) {
      // A list bullet is layout, not part of the claim (nor of the text a client shows).
      c.sentence = c.sentence.replace(/^[-*•]\s+/, '');
      c.claim = c.sentence.replace(MARKER_GROUP, ' ').replace(/\s+/g, ' ').replace(/ ([.,;:!?])/g, '$1').trim();
    }
    claims.push(...onLine.filter((c) => c.claim.length > 0));
  }
  return claims;
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

/** An answer's claims checked against the papers they cite. */
export interface Verification {
  /** For each cited marker, the best quote found for it over the claims that cite it. */
  quotes: Map<number, Span>;
  /** Claims not borne out by the papers they cite. */
  unsupported: { sentence: string; markers: number[] }[];
  /** Share of the cited claims that are verified; null when the answer cites nothing. */
  verified: number | null;
}

/**
 * Verifies each cited claim of `answer` against the papers its markers name (`paperOf`): the claim
 * is verified when every number and name in it is stated by one of them and one of them holds at
 * least `minSupport` of its IDF mass in one quote (the calibrated cut, see `calibrateClaims`), or,
 * with `dense`, has a sentence at least `minCosine` close to it in the embedder's space.
 */
export function verifyAnswer(
  answer: string,
  paperOf: (marker: number) => Pick<Paper, 'id' | 'title' | 'abstract' | 'authors' | 'year'> | undefined,
  stats: TermStats,
  minSupport: number,
  dense?: { match: (claim: string, paperId: string) => DenseMatch | undefined; minCosine: number },
): Verification {
  const quotes = new Map<number, { quote: Span; support: number }>();
  const unsupported: Verification['unsupported'] = [];
  const claims = answerClaims(answer);
  let verified = 0;
  for (const c of claims) {
    const checks = c.markers.flatMap((n) => {
      const paper = paperOf(n);
      if (!paper) return [];
      const check = checkClaim(c.claim, paper, stats);
      // A paraphrase the words miss may still be close in meaning: then the dense quote stands.
      const near = check.support < minSupport ? dense?.match(c.claim, paper.id) : undefined;
      const byMeaning = near !== undefined && near.cosine >= dense!.minCosine;
      return [{ n, check: byMeaning ? { ...check, quote: near.quote, support: minSupport } : check }];
    });
    for (const { n, check } of checks) {
      const had = quotes.get(n);
      if (!had || check.support > had.support) quotes.set(n, { quote: check.quote, support: check.support });
    }
    const unstated = checks.length ? checks.map((x) => x.check.unstated).reduce((a, b) => a.filter((u) => b.includes(u))) : [];
    const support = Math.max(0, ...checks.map((x) => x.check.support));
    if (checks.length && !unstated.length && support >= minSupport) verified++;
    else unsupported.push({ sentence: c.sentence, markers: c.markers });
  }
  return {
    quotes: new Map([...quotes].map(([n, q]) => [n, q.quote])),
    unsupported,
    verified: claims.length ? verified / claims.length : null,
  };
}
