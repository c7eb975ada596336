import { STOP_WORDS, stem, words } from '../retrieval/text.js';
import { guessLanguage } from './language.js';

/**
 * What a question asks, read from its form alone: the answer type its interrogative wants, the
 * words that name what is asked (the target) and the rest (what the question takes for granted,
 * the premise). Whether the collection answers it is decided elsewhere (support/decide.ts), from
 * signals calibrated on the collection; this module holds no topic words.
 */
export interface Asked {
  text: string;
  /** Analyzed content terms in question order (repeats kept: adjacency matters). */
  terms: string[];
  /**
   * What the interrogative wants: a `number` ("how many", "how much", "how fast"), a `person`
   * ("who"), a `time` ("when"), or anything (`open`: what, which, why, how, yes/no questions).
   */
  wants: 'number' | 'person' | 'time' | 'open';
  /** "How many X": a count, whose number stands before the counted noun ("1.4B parameters"). */
  count: boolean;
  /** Terms of the phrase the interrogative asks about ("what batch size", "which datasets"); may be empty. */
  target: string[];
  /** The question's words as written, in order, for naming what an abstract does not state. */
  surface: string[];
  /** The interrogative's noun is plural ("which papers", "what methods"): several answers may be wanted. */
  plural: boolean;
  /**
   * Terms of the question's names as written: coined or capitalized words ("MUVERA", "GPT-3",
   * "Lookahead" inside a sentence). A paper's name among them makes the question about that paper.
   */
  names: string[];
  /** A search-box query: no interrogative, no question mark, a few words. */
  keywords: boolean;
  english: boolean;
}

/** The interrogative and what follows it: one closed class of English function words. */
/**
 * The interrogative that opens the question or one of its sentences (after a preposition: "in which
 * way", "by how much"): a closed class of English function words. One inside a clause ("a cost
 * function whose gradient ...", "... when it interpolates") is not the question's.
 */
const INTERROGATIVE = /(?:^|[.?!;,]\s+|^\s*(?:and|so|but|also|ok|okay|then)\s+)(?:(?:in|on|at|by|for|from|to|with|of|and|or)\s+)?(what|which|who|whom|whose|when|where|why|how)\b((?:\s+[\w'’-]+){0,8})/gi;
/** Auxiliaries: a "when" or "where" right before one asks a question. */
const AUXILIARIES = new Set(['is', 'are', 'was', 'were', 'do', 'does', 'did', 'can', 'could', 'will', 'would', 'should', 'has', 'have', 'had', 'may', 'might']);
/** Auxiliaries and determiners that may stand between the interrogative and what it asks about. */
const BRIDGE = new Set(['is', 'are', 'was', 'were', 'the', 'a', 'an', 'of', 'its', 'their', 'this', 'that', 'these', 'those', 'kind', 'type', 'sort', 'exact', 'specific']);
/** Do-support and modals: "what does X propose" asks about X's predicate, an open question. */
const DO_SUPPORT = new Set(['do', 'does', 'did', 'can', 'could', 'would', 'should', 'will', 'has', 'have', 'had', 'may', 'might']);
/** Prepositions after a noun run that is asked about ("the learning rate of X", "the speed-up on Y"). */
const PREPOSITIONS = new Set(['of', 'for', 'in', 'on', 'at', 'by', 'from', 'with', 'to', 'between', 'across', 'over', 'per', 'against', 'under', 'than']);
/** Nouns that name a quantity: "what value of k", "which number of layers". */
const QUANTITY_NOUNS = new Set(['value', 'values', 'number', 'amount', 'percentage', 'percent', 'fraction', 'ratio']);
/** "How" followed by these asks for a quantity. */
const HOW_MUCH = new Set(['many', 'much', 'long', 'large', 'big', 'small', 'fast', 'far', 'often', 'deep', 'wide', 'high', 'low', 'old', 'quickly', 'slow', 'accurate']);
/** Longer statements ("I'm looking for a paper that ...") describe one paper rather than type a search. */
const KEYWORD_QUERY_WORDS = 10;

export function readQuestion(text: string): Asked {
  const all = words(text);
  const terms = all.filter((w) => !STOP_WORDS.has(w)).map(stem);
  // "When training ...", "when BNNs are used ...": "when" or "where" asks only right before an
  // auxiliary ("when was it published"); otherwise it opens a clause of time or place.
  const clause = (x: RegExpMatchArray) => ['when', 'where'].includes(x[1]!.toLowerCase()) && !AUXILIARIES.has(words(x[2] ?? '')[0] ?? '');
  const m = [...text.matchAll(INTERROGATIVE)].find((x) => !clause(x)) ?? null;
  let wants: Asked['wants'] = 'open';
  let target: string[] = [];
  let plural = false;
  let count = false;
  if (m) {
    const wh = m[1]!.toLowerCase();
    const after = words(m[2] ?? '');
    if (wh === 'who' || wh === 'whom' || wh === 'whose') wants = 'person';
    else if (wh === 'when') wants = 'time';
    else if (wh === 'how' && HOW_MUCH.has(after[0] ?? '')) {
      wants = 'number';
      count = after[0] === 'many';
      target = nounRun(after.slice(1));
      // "how much faster": the adjective is what is measured.
      if (after[0] === 'much' && !target.length) target = nounRun(after.slice(1, 2), true);
    } else if (wh === 'what' || wh === 'which') {
      const rest = after[0] && DO_SUPPORT.has(after[0]) ? [] : after;
      let i = 0;
      while (i < rest.length && BRIDGE.has(rest[i]!)) i++;
      const { run, spanned } = spanRun(rest.slice(i));
      // The interrogative's own noun, or a paper word right after an adjective ("which recent papers").
      const pluralForm = (w: string | undefined) => w !== undefined && w.length > 3 && w.endsWith('s') && !w.endsWith('ss');
      plural = pluralForm(run[0]) || (isPaperWord(run[1] ?? '') && pluralForm(run[1]));
      // "What batch size did X use", "the learning rate of X": the run is an object, asked about.
      // "Which paper proposes X", "what approaches make X cheaper": it is the subject of a clause
      // that describes the answer, so nothing in particular is asked of one paper.
      const next = rest[i + spanned];
      const asksOf = next !== undefined && (DO_SUPPORT.has(next) || BRIDGE.has(next) || PREPOSITIONS.has(next)) && !run.some(isPaperWord);
      // A quantity noun names the answer's type ("what value of k"), not a thing the paper must name.
      target = asksOf ? run.filter((w) => !STOP_WORDS.has(w) && !QUANTITY_NOUNS.has(w)).map(stem) : [];
      if (run.some((w) => w === 'year' || w === 'years')) wants = 'time';
      else if (run.some((w) => QUANTITY_NOUNS.has(w))) wants = 'number';
    }
  }
  // "Papers", "studies" anywhere, or "what work": the asker expects several papers.
  plural ||= all.some((w) => PLURAL_PAPER_WORDS.has(w)) || (m !== null && ['what', 'which'].includes(m[1]!.toLowerCase()) && words(m[2] ?? '')[0] === 'work');
  const keywords = !m && !text.includes('?') && all.length <= KEYWORD_QUERY_WORDS && !DO_SUPPORT.has(all[0] ?? '') && !BRIDGE.has(all[0] ?? '');
  return { text, terms, wants, count, target, names: nameTerms(text), surface: text.split(/\s+/).filter(Boolean), plural, keywords, english: guessLanguage(text).english };
}

/** A written name: a capital or a digit past its first letter ("MUVERA", "GPT-3", "nnU-Net"), or a capital inside a sentence. */
export function nameTerms(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}-]*/gu)) {
    const token = m[0];
    const before = text.slice(0, m.index).trimEnd();
    const opens = before === '' || /[.!?:;"“(]$/.test(before);
    const coined = /\p{Lu}/u.test(token.slice(1)) || (/\p{N}/u.test(token) && /\p{L}/u.test(token));
    if (coined || (!opens && /^\p{Lu}/u.test(token))) for (const w of words(token)) if (!STOP_WORDS.has(w)) out.push(stem(w));
  }
  return [...new Set(out)];
}

/**
 * The first run of words up to an auxiliary, a preposition or another function word (a noun
 * phrase; "and"/"or" join two: "learning rate and batch size"), and how many words it spans.
 */
function spanRun(ws: readonly string[]): { run: string[]; spanned: number } {
  const run: string[] = [];
  let i = 0;
  for (; i < ws.length; i++) {
    const w = ws[i]!;
    if (run.length && (w === 'and' || w === 'or') && ws[i + 1] && !STOP_WORDS.has(ws[i + 1]!)) continue;
    if (DO_SUPPORT.has(w) || (STOP_WORDS.has(w) && !isPaperWord(w) && run.length) || (BRIDGE.has(w) && run.length)) break;
    run.push(w);
    if (run.length >= 6) {
      i++;
      break;
    }
  }
  return { run, spanned: i };
}
const rawRun = (ws: readonly string[]) => spanRun(ws).run;

/** Words such as "paper" or "work" are stop words for search, but in "which papers" they carry number. */
const PAPER_WORDS = new Set(['paper', 'papers', 'work', 'works', 'study', 'studies', 'article', 'articles']);
const PLURAL_PAPER_WORDS = new Set(['papers', 'works', 'studies', 'articles']);
const isPaperWord = (w: string) => PAPER_WORDS.has(w);

/** The content terms of a noun run; `keepFirst` keeps a lone adjective ("faster"). */
function nounRun(ws: readonly string[], keepFirst = false): string[] {
  const run = rawRun(ws);
  const content = run.filter((w) => !STOP_WORDS.has(w)).map(stem);
  return content.length || !keepFirst ? content : run.slice(0, 1).map(stem);
}
