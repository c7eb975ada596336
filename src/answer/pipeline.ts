import type { Paper } from '../corpus/schema.js';
import type { ChatEvent, ChatMessage } from '../protocol/chat.js';
import type { Answerer } from './answerer.js';
import { questionIntent } from '../question/intent.js';
import type { Measure } from '../question/measures.js';
import { METADATA_NAMES, missingMetadata } from '../question/metadata.js';
import { misuseRefusal } from '../question/misuse.js';
import { readTurn, retrievalQuery, type Turn } from '../question/turn.js';
import type { Retriever } from '../retrieval/retriever.js';
import type { TermStats } from '../retrieval/term-stats.js';
import { terms } from '../retrieval/text.js';
import type { Calibration } from '../support/calibrate.js';
import { evidence, OUTLIER_DEPTH } from '../support/evidence.js';
import { judge, missingMeasures } from '../support/judge.js';
import { CitedPaperFinder } from './cited-papers.js';
import { numbered, type Composer } from './compose/composer.js';
import { abstention, notStatedMessage, NOT_COVERED_MESSAGE, NOT_INTRODUCED_MESSAGE } from './events.js';
import { introduces } from '../support/origin.js';
import { condenseQuery, suggestWithLlm, type LlmOptions } from './llm.js';
import { createAnswerSigner, trustedTurns, type AnswerSigner } from './signing.js';
import { suggestFollowUps } from './suggestions.js';
import { DEFAULT_SOURCES, selectSources, sourceCount, type SourceOptions } from './sources.js';

export interface PipelineOptions {
  retriever: Retriever;
  stats: TermStats;
  calibration: Calibration;
  /** Writes the answer: `extractiveComposer`, or an LLM composer wrapped `withFallback`. */
  composer: Composer;
  /** The LLM, when one is configured: condenses follow-ups into search queries; the judge is then lenient. */
  llm?: LlmOptions | null;
  sources?: Partial<SourceOptions>;
  /** Signs answers and checks the assistant turns clients send back; default: a random key per process. */
  signer?: Promise<AnswerSigner> | AnswerSigner;
}

/** What the turn asks: the question, or for "what about X?" the earlier question carried over to X. */
const askedText = (turn: Turn) => (turn.followUp === 'continuation' ? `${turn.earlierQuestions[0] ?? ''}\n${turn.question}` : turn.question);

/** How an abstention names a measure, as the question wrote it: "the number of GPUs", "the BLEU score". */
function measureName(m: Measure, question: string): string {
  const written = new RegExp(`\\b${m.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').exec(question)?.[0] ?? m.name;
  return m.kind === 'count' ? `number of ${written}` : written;
}

/**
 * The answerer behind `/api/chat`, one step per owner:
 * turn → misuse → search query → retrieval → sources → support judge → composer → events.
 *
 * @example
 * const answerer = createAnswerPipeline({ retriever, stats, calibration, composer: extractiveComposer(stats) });
 * for await (const event of answerer.answer([{ role: 'user', content: 'What is FT-PFN?' }])) console.log(event);
 */
export function createAnswerPipeline(options: PipelineOptions): Answerer {
  const { retriever, stats, calibration, composer } = options;
  const llm = options.llm ?? null;
  const sourceOptions = { ...DEFAULT_SOURCES, ...options.sources };
  const signer = Promise.resolve(options.signer ?? createAnswerSigner());
  let finder: CitedPaperFinder | null = null;

  /** The papers a follow-up refers back to: the ids the client sent, else found from the answer's text. */
  async function focusOf(turn: Turn): Promise<Paper[]> {
    if (turn.followUp !== 'reference') return [];
    if (turn.previousCitations) return retriever.getPapers(turn.previousCitations);
    if (!turn.previousAnswer) return [];
    finder ??= new CitedPaperFinder(retriever.papers ?? [], retriever);
    return finder.find(turn.previousAnswer);
  }

  async function* answer(messages: ChatMessage[], opts: { signal?: AbortSignal } = {}): AsyncGenerator<ChatEvent> {
    const turn = readTurn(messages);
    const refusal = misuseRefusal(turn.question);
    if (refusal) {
      yield* abstention(refusal, [], 'extractive');
      return;
    }
    const question = askedText(turn);
    const intent = questionIntent(question);
    // The LLM sees only the assistant turns this server signed: a client cannot put words in its mouth.
    const forLlm = llm ? await trustedTurns(messages, await signer) : messages;
    const query = (llm && turn.followUp ? await condenseQuery(llm, forLlm, opts.signal) : null) ?? retrievalQuery(turn);
    const lists = await retriever.lists(query, Math.max(sourceCount(intent, sourceOptions), OUTLIER_DEPTH));
    const focus = await focusOf(turn);
    const { sources, relative } = selectSources(lists.fused, intent, focus, sourceOptions);
    const origin = intent.origin && !intent.list && !focus.length ? intent.origin : null;
    const mode = composer.mode;

    // Support: a follow-up about cited papers stands on the conversation; anything else must be
    // answered by the collection, as the calibrated judge reads the search's evidence.
    const verdict = focus.length || !sources.length ? null : judge(calibration, evidence(lists, terms(lists.query), stats), { lenient: llm !== null });
    if (!focus.length && !verdict?.supported) {
      // Near misses only when the question is about something: papers matched on chance words help no one.
      const related = verdict && verdict.probability >= calibration.related ? sources.slice(0, 3) : [];
      yield* abstention(NOT_COVERED_MESSAGE, related, mode);
      return;
    }
    // "Which paper introduced X?": only a paper that introduces X answers it, not one that uses it.
    if (origin) {
      const at = sources.slice(0, sourceOptions.originCandidates).findIndex((p) => introduces(p, origin, stats));
      if (at < 0) {
        yield* abstention(NOT_INTRODUCED_MESSAGE, sources.slice(0, 3), mode);
        return;
      }
      sources.unshift(...sources.splice(at, 1));
      relative.unshift(...relative.splice(at, 1));
    }
    // A measure or a fact about the paper (its authors, year, code) that the best paper does not state.
    const best = sources[0]!;
    const missing = intent.list ? [] : [...missingMeasures(best, intent.measures).map((m) => measureName(m, question)), ...missingMetadata(best, intent.metadata).map((k) => METADATA_NAMES[k])];
    if (missing.length) {
      yield* abstention(notStatedMessage(best, missing), [best], mode);
      return;
    }

    const snippets = retriever.snippets(sources, lists.query);
    yield { type: 'sources', sources: numbered(sources).map((s, i) => ({ ...s, snippet: snippets[i] })) };
    const gen = composer.compose({ messages: forLlm, question, intent, sources, relative }, opts.signal);
    for (let r = await gen.next(); ; r = await gen.next()) {
      if (!r.done) {
        yield { type: 'delta', text: r.value };
        continue;
      }
      const c = r.value;
      if (c.kind === 'not-covered') {
        yield* abstention(NOT_COVERED_MESSAGE, sources.slice(0, 3), c.mode, false);
        return;
      }
      const cited = c.citations.map((x) => sources[x.n - 1]).filter((p): p is Paper => Boolean(p));
      // Follow-ups: the LLM's own when it wrote the answer, else (or when it gives none) from the cited papers.
      const fromLlm = llm && c.mode === 'llm' && !c.fallback ? await suggestWithLlm(llm, { question: turn.question, answer: c.answer, titles: cited.map((p) => p.title) }, opts.signal) : null;
      const suggestions = fromLlm ?? suggestFollowUps(turn.question, intent, cited);
      const extra = {
        ...(suggestions.length ? { suggestions } : {}),
        ...(c.removedMarkers.length ? { removedMarkers: c.removedMarkers } : {}),
        ...(c.fallback ? { fallback: c.fallback } : {}),
        ...(c.unsupported ? { unsupported: c.unsupported } : {}),
        ...(c.verified !== undefined ? { verified: c.verified } : {}),
      };
      const signature = await (await signer).sign(c.answer, c.citations.map((x) => x.id));
      yield { type: 'done', result: { answer: c.answer, citations: c.citations, abstained: false, mode: c.mode, signature, ...extra } };
      return;
    }
  }

  return { label: llm ? llm.model : 'extractive', answer };
}

