import type { Paper } from '../corpus/schema.js';
import { isSupported, matchStrength, OUTLIER_DEPTH, topOutlier, type Calibration } from '../retrieval/calibration.js';
import type { RetrievedPaper, Retriever } from '../retrieval/retriever.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { terms } from '../retrieval/text.js';
import { CitedPaperFinder } from './cited-papers.js';
import { finalizeCitations } from './citations.js';
import { readTurn, retrievalQuery, type Turn } from './conversation.js';
import { composeExtractive } from './extractive.js';
import { misuseRefusal, questionIntent, type QuestionIntent } from './intent.js';
import { abstractStatesMeasure } from './sentence-scoring.js';
import { condenseQuery, LlmFailure, NOT_COVERED, streamLlmAnswer, type LlmOptions } from './llm.js';
import type { Answerer, ChatEvent, ChatMessage, ChatResult, Source } from './schema.js';

export interface AnswerServiceOptions {
  retriever: Retriever;
  stats: TermStats;
  calibration: Calibration;
  /** The LLM to answer with; null for extractive answers only. */
  llm: LlmOptions | null;
  /** Sources offered per answer. Default 5; "which papers" questions get at least 8. */
  sources?: number;
  log?: (msg: string) => void;
}

/** The outcome of retrieval and the support check, before any text is written. */
interface Plan {
  /** What the question asks for, read once. */
  intent: QuestionIntent;
  sources: Paper[];
  /** Each source's relevance relative to the best one. */
  relative: number[];
  /** Set when the collection does not support an answer: no paper matches well (`unmatched`), or the best one lacks the asked measure. */
  abstain: { message: string; related: Paper[]; unmatched?: boolean } | null;
}

/** The abstention text; the closest papers go in `related`, so clients can show them as links. */
const NOT_COVERED_MESSAGE = "I couldn't find an answer to this in the paper collection: no abstract here addresses it, so I won't guess.";

const toSources = (papers: readonly Paper[]): Source[] => papers.map((p, i) => ({ n: i + 1, id: p.id, title: p.title }));

/** Splits text into sentence-sized pieces so an extractive answer streams like a generated one. */
const pieces = (text: string) => text.match(/[^\n]*?(?:\[\d+\]|\n|$)\s*/g)?.filter(Boolean) ?? [text];

/** What the turn asks: the question, or for "what about X?" the earlier question carried over to X. */
const askedText = (turn: Turn) => (turn.followUp === 'continuation' ? `${turn.earlierQuestions[0] ?? ''}\n${turn.question}` : turn.question);

/** A finished result as events: its text in pieces, then `done`. */
function* streamed(result: ChatResult): Generator<ChatEvent> {
  for (const piece of pieces(result.answer)) yield { type: 'delta', text: piece };
  yield { type: 'done', result };
}

/** An abstention as events: no sources offered as support, the message, and the near misses as `related`. */
function* abstention(message: string, related: readonly Paper[], mode: ChatResult['mode'], withSources = true): Generator<ChatEvent> {
  if (withSources) yield { type: 'sources', sources: [] };
  yield* streamed({ answer: message, citations: [], abstained: true, mode, related: related.map(({ id, title }) => ({ id, title })) });
}

/**
 * The answerer behind `/api/chat`: misuse check, follow-up resolution, retrieval, a calibrated
 * support decision (abstain when the collection does not answer), then an LLM answer when one is
 * configured, else the extractive answer; citations are validated and renumbered either way.
 *
 * @example
 * const answerer = createAnswerService({ retriever, stats, calibration, llm: null });
 * for await (const event of answerer.answer([{ role: 'user', content: 'What is FT-PFN?' }])) console.log(event);
 */
export function createAnswerService(options: AnswerServiceOptions): Answerer {
  const { retriever, stats, calibration, llm } = options;
  const k = options.sources ?? 5;
  const log = options.log ?? (() => {});
  let finder: CitedPaperFinder | null = null;
  const citedFinder = () => (finder ??= new CitedPaperFinder(retriever.papers, retriever));

  async function plan(turn: Turn, query: string): Promise<Plan> {
    const intent = questionIntent(askedText(turn));
    const offered = intent.list ? Math.max(k, 8) : k;
    const hits = await retriever.search(query, Math.max(offered, OUTLIER_DEPTH));
    const prior = turn.followUp === 'reference' && turn.previousAnswer ? await citedFinder().find(turn.previousAnswer) : [];
    const lexTop = Math.max(0, ...hits.map((h) => h.lexical?.score ?? 0));
    const relOf = (h: RetrievedPaper | undefined) => (h?.lexical && lexTop > 0 ? h.lexical.score / lexTop : h ? h.score / (hits[0]?.score || 1) : 0);

    let sources: Paper[];
    let relative: number[];
    if (prior.length) {
      // "it", "they": the papers the previous answer cited come first.
      const focus = prior.slice(0, intent.list ? 4 : 2);
      const rest = hits.filter((h) => !focus.some((p) => p.id === h.paper.id)).slice(0, offered - focus.length);
      sources = [...focus, ...rest.map((h) => h.paper)];
      relative = [...focus.map(() => 1), ...rest.map((h) => relOf(h) * 0.5)];
    } else {
      const top = hits.slice(0, offered);
      sources = top.map((h) => h.paper);
      relative = top.map(relOf);
    }
    if (!sources.length) return { intent, sources, relative, abstain: { message: NOT_COVERED_MESSAGE, related: [], unmatched: true } };

    // Support: does the best match beat what random words from the corpus achieve, either in
    // strength or in how far it stands out from the other papers?
    if (!prior.length) {
      const qTerms = [...new Set(terms(query))];
      const strength = matchStrength(lexTop, qTerms, stats);
      // Only lexical scores: the outlier threshold was calibrated on BM25 lists.
      const outlier = topOutlier(hits.flatMap((h) => (h.lexical ? [h.lexical.score] : [])).sort((a, b) => b - a));
      const denseSimilarity = Math.max(0, ...hits.map((h) => h.dense?.score ?? 0));
      if (!isSupported(calibration, { strength, outlier, queryTerms: qTerms.length, denseSimilarity })) {
        return { intent, sources, relative, abstain: { message: NOT_COVERED_MESSAGE, related: sources.slice(0, 3), unmatched: true } };
      }
    }
    // A measure asked for by name ("how many GPUs", "what BLEU score") that the best paper never states.
    const best = sources[0]!;
    if (intent.measures.length && !intent.list && !abstractStatesMeasure(best.abstract, intent.measures)) {
      return {
        intent,
        sources,
        relative,
        abstain: {
          message: `The abstract of "${best.title}" does not state the ${intent.measures.map((m) => m.name).join(' or ')}, and I can only answer from the abstracts in this collection. The full paper may have it.`,
          related: [best],
        },
      };
    }
    return { intent, sources, relative, abstain: null };
  }

  function extractive(turn: Turn, p: Plan): { answer: string; citations: ChatResult['citations'] } {
    const text = composeExtractive({ question: askedText(turn), intent: p.intent, sources: p.sources, relative: p.relative, stats });
    const { answer, citations } = finalizeCitations(text, toSources(p.sources));
    return { answer, citations };
  }

  async function* answer(messages: ChatMessage[], opts: { signal?: AbortSignal } = {}): AsyncGenerator<ChatEvent> {
    let turn = readTurn(messages);
    const refusal = misuseRefusal(turn.question);
    if (refusal) {
      yield { type: 'sources', sources: [] };
      yield* streamed({ answer: refusal, citations: [], abstained: true, mode: 'extractive' });
      return;
    }

    let query = retrievalQuery(turn);
    if (llm && turn.followUp) query = (await condenseQuery(llm, messages, opts.signal)) ?? query;
    let p = await plan(turn, query);
    if (p.abstain?.unmatched && !turn.followUp && turn.earlierQuestions.length) {
      // A question that cannot stand alone ("how much faster was that?") leans on the conversation.
      const leaning: Turn = { ...turn, followUp: 'reference' };
      const leaningQuery = llm ? ((await condenseQuery(llm, messages, opts.signal)) ?? retrievalQuery(leaning)) : retrievalQuery(leaning);
      const retry = await plan(leaning, leaningQuery);
      if (!retry.abstain) [turn, query, p] = [leaning, leaningQuery, retry];
    }
    if (p.abstain) {
      // No sources are offered as support for an abstention; `related` names the near misses.
      yield* abstention(p.abstain.message, p.abstain.related, llm ? 'llm' : 'extractive');
      return;
    }
    const sources = toSources(p.sources);
    const snippets = retriever.snippets(p.sources, query);
    yield { type: 'sources', sources: sources.map((s, i) => ({ ...s, snippet: snippets[i] })) };
    if (llm) yield* llmAnswer(llm, turn, p, messages, opts.signal);
    else yield* streamed({ ...extractive(turn, p), abstained: false, mode: 'extractive' });
  }

  /** The LLM's answer, streamed; on failure, garbage or no valid citation, the extractive answer marked `fallback`. */
  async function* llmAnswer(llm: LlmOptions, turn: Turn, p: Plan, messages: ChatMessage[], signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const sources = toSources(p.sources);
    let fallback: string;
    let streamedAny = false;
    try {
      const gen = streamLlmAnswer(llm, messages, sources.map((s, i) => ({ ...s, abstract: p.sources[i]!.abstract })), signal);
      let r = await gen.next();
      while (!r.done) {
        streamedAny = true;
        yield { type: 'delta', text: r.value };
        r = await gen.next();
      }
      const raw = r.value.trim();
      if (raw.startsWith(NOT_COVERED)) {
        yield* abstention(NOT_COVERED_MESSAGE, p.sources.slice(0, 3), 'llm', false);
        return;
      }
      const final = finalizeCitations(raw, sources);
      if (final.citations.length) {
        const removed = final.removedMarkers.length ? { removedMarkers: final.removedMarkers } : {};
        yield { type: 'done', result: { answer: final.answer, citations: final.citations, abstained: false, mode: 'llm', ...removed } };
        return;
      }
      fallback = raw ? 'the LLM answer cited none of the sources' : 'the LLM returned an empty answer';
    } catch (e) {
      if (signal?.aborted) return;
      if (!(e instanceof LlmFailure)) throw e;
      fallback = e.message;
    }
    log(`llm fallback: ${fallback}`);
    const result: ChatResult = { ...extractive(turn, p), abstained: false, mode: 'extractive', fallback };
    // Text already streamed from the LLM is replaced by `done`; otherwise the fallback streams as usual.
    if (streamedAny) yield { type: 'done', result };
    else yield* streamed(result);
  }

  return { label: llm ? llm.model : 'extractive', answer };
}
