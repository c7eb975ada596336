import type { Paper } from '../corpus/schema.js';
import type { ChatEvent, ChatMessage, ChatResult, DecisionTrace } from '../protocol/chat.js';
import { misuseRefusal } from '../question/misuse.js';
import { readQuestion } from '../question/read.js';
import { readTurn, retrievalQuery, type Turn } from '../question/turn.js';
import type { Retriever } from '../retrieval/retriever.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { terms } from '../retrieval/text.js';
import type { Calibration } from '../support/calibrate.js';
import { decide, type Decision } from '../support/decide.js';
import { CitedPaperFinder } from './cited-papers.js';
import { numbered, type Composer } from './compose/composer.js';
import { pieces } from './compose/extractive.js';
import { notCoveredResult, refusedResult, unansweredResult } from './events.js';
import { Budget, DEFAULT_LLM_BOUNDS, type LlmOptions } from './llm.js';
import { rewriteQuery } from './rewrite.js';
import { createAnswerSigner, trustedTurns, type AnswerSigner } from './signing.js';
import { suggestFollowUps } from './suggestions.js';

/** Defaults of the pipeline (one place). */
export const DEFAULT_PIPELINE = {
  /** Defaults to 20: depth of the lists a question is searched to (the decision reads the best few). */
  depth: 20,
  /** Defaults to 2: papers an earlier answer cited that a follow-up is about. */
  focus: 2,
  /** Defaults to 6: the same when the follow-up may want several ("which of them ..."), as many as a list answer names. */
  listFocus: 6,
} as const;

export interface PipelineOptions {
  retriever: Retriever;
  stats: TermStats;
  calibration: Calibration;
  /** Writes the answer: `extractiveComposer`, or an LLM composer wrapped `withFallback`. */
  composer: Composer;
  /** The LLM, when one is configured: it rewrites follow-ups and other languages into English queries. */
  llm?: LlmOptions | null;
  /** Signs answers and checks the assistant turns clients send back; default: a random key per process. */
  signer?: Promise<AnswerSigner> | AnswerSigner;
}

/** What the turn asks: the question, or for "what about X?" the earlier question carried over to X. */
const askedText = (turn: Turn) => (turn.followUp === 'continuation' ? `${turn.earlierQuestions[0] ?? ''}\n${turn.question}` : turn.question);

/** Produces an answer to the last user message, as a stream of events. */
export interface Answerer {
  /** `extractive`, or the LLM model name. */
  readonly label: string;
  answer(messages: ChatMessage[], options?: { signal?: AbortSignal }): AsyncIterable<ChatEvent>;
}

/**
 * The answerer behind `/api/chat`, one step per owner:
 * turn → misuse → query (rewritten by the LLM for follow-ups and other languages) → retrieval →
 * decision (support/decide.ts) → composer → events.
 */
export function createAnswerPipeline(options: PipelineOptions): Answerer {
  const { retriever, stats, calibration, composer } = options;
  const llm = options.llm ?? null;
  const signer = Promise.resolve(options.signer ?? createAnswerSigner());
  let finder: CitedPaperFinder | null = null;

  /** The papers a follow-up refers back to: the ids the client sent, else found from the answer's text. */
  async function focusOf(turn: Turn, several: boolean): Promise<Paper[]> {
    if (turn.followUp !== 'reference') return [];
    const max = several ? DEFAULT_PIPELINE.listFocus : DEFAULT_PIPELINE.focus;
    if (turn.previousCitations) return (await retriever.getPapers(turn.previousCitations)).slice(0, max);
    if (!turn.previousAnswer) return [];
    finder ??= new CitedPaperFinder(retriever.papers ?? [], retriever);
    return (await finder.find(turn.previousAnswer)).slice(0, max);
  }

  /** The result signed: a client sends the signature back with the turn, and feedback names the answer by it. */
  async function signed(result: Omit<ChatResult, 'signature'>, question: string): Promise<ChatResult> {
    return { ...result, signature: await (await signer).sign(result.answer, result.citations.map((x) => x.id), question) };
  }

  /** A finished abstention as events: the paper it names (if any) as the source, its text in pieces, then `done`. */
  async function* abstain(result: ChatResult, trace: DecisionTrace, question: string): AsyncGenerator<ChatEvent> {
    yield { type: 'sources', sources: result.citations.map(({ n, id, title }) => ({ n, id, title })) };
    const final = await signed(result, question);
    for (const piece of pieces(final.answer)) yield { type: 'delta', text: piece };
    yield { type: 'done', result: final, trace };
  }

  /** The decision for a question asked on its own (a suggestion), with no conversation. */
  async function decideAlone(question: string): Promise<Decision> {
    const lists = await retriever.lists(question, DEFAULT_PIPELINE.depth);
    return decide({ asked: readQuestion(lists.query), lists, stats, calibration });
  }

  async function* answer(messages: ChatMessage[], opts: { signal?: AbortSignal } = {}): AsyncGenerator<ChatEvent> {
    const turn = readTurn(messages);
    const refusal = misuseRefusal(turn.question);
    if (refusal) {
      yield* abstain(refusedResult(refusal), { kind: 'refused', probability: null, query: turn.question }, turn.question);
      return;
    }
    const english = readQuestion(turn.question).english;
    // The one budget of the whole answer: the rewrite, the answer and the translation draw on it.
    const answerBudget = new Budget(llm?.deadlineMs ?? DEFAULT_LLM_BOUNDS.deadlineMs);
    // The LLM sees only the assistant turns this server signed: a client cannot put words in its mouth.
    const forLlm = llm ? await trustedTurns(messages, await signer) : messages;
    const rewrite = llm && (turn.followUp || !english) ? await rewriteQuery(llm, forLlm, answerBudget, opts.signal) : null;
    // A follow-up "rewritten" without a word it did not have resolved nothing: search with the conversation instead.
    const own = new Set(terms(turn.question));
    const rewritten = rewrite && (!english || terms(rewrite).some((t) => !own.has(t))) ? rewrite : null;
    const query = rewritten ?? retrievalQuery(turn);
    const lists = await retriever.lists(query, DEFAULT_PIPELINE.depth);
    const asked = { ...readQuestion(rewritten ?? askedText(turn)), english };
    const focus = await focusOf(turn, asked.plural);
    const decision = decide({ asked, lists, stats, calibration, focus });
    const trace: DecisionTrace = { kind: decision.kind, probability: decision.probability, query };
    const mode = composer.mode;
    if (decision.kind === 'not_covered') {
      yield* abstain(notCoveredResult(decision.related, mode), trace, turn.question);
      return;
    }
    if (decision.kind !== 'answer') {
      yield* abstain(unansweredResult(decision, mode), trace, turn.question);
      return;
    }
    const sources = [...decision.papers, ...decision.unstated].map((p) => p.paper);
    const snippets = retriever.snippets(sources, lists.query);
    yield { type: 'sources', sources: numbered(sources).map((s, i) => ({ ...s, snippet: snippets[i] })) };
    const gen = composer.compose({ question: turn.question, query: asked.text, english, decision, sources, budget: answerBudget }, opts.signal);
    for (let r = await gen.next(); ; r = await gen.next()) {
      if (!r.done) {
        yield { type: 'delta', text: r.value };
        continue;
      }
      const c = r.value;
      if (c.kind === 'not-covered') {
        yield { type: 'done', result: await signed(notCoveredResult(sources.slice(0, 3), c.mode), turn.question), trace: { ...trace, kind: 'not_covered' } };
        return;
      }
      const cited = c.citations.map((x) => sources[x.n - 1]).filter((p): p is Paper => Boolean(p));
      const suggestions = await suggestFollowUps(turn.question, cited, async (s) => (await decideAlone(s)).kind === 'answer');
      const result = await signed(
        {
          answer: c.answer,
          citations: c.citations,
          abstained: false,
          mode: c.mode,
          ...(suggestions.length ? { suggestions } : {}),
          ...(c.removedMarkers?.length ? { removedMarkers: c.removedMarkers } : {}),
          ...(c.fallback ? { fallback: c.fallback } : {}),
          ...(c.unsupported ? { unsupported: c.unsupported } : {}),
          ...(c.verified !== undefined ? { verified: c.verified } : {}),
        },
        turn.question,
      );
      yield { type: 'done', result, trace };
      return;
    }
  }

  return { label: llm ? llm.model : 'extractive', answer };
}
