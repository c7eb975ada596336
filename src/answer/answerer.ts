import type { ChatEvent, ChatMessage } from '../protocol/chat.js';
import type { Retriever } from '../retrieval/retriever.js';
import type { TermStats } from '../retrieval/term-stats.js';
import type { Calibration } from '../support/calibrate.js';
import { extractiveComposer } from './compose/extractive.js';
import { llmComposer } from './compose/llm.js';
import { withEvidence } from './compose/with-evidence.js';
import { createAnswerSigner } from './signing.js';
import { withFallback } from './compose/with-fallback.js';
import { LlmFailure, type LlmOptions } from './llm.js';
import { createAnswerPipeline, type PipelineOptions } from './pipeline.js';

/** Produces an answer to the last user message, as a stream of events. */
export interface Answerer {
  /** `extractive`, or the LLM model name. */
  readonly label: string;
  answer(messages: ChatMessage[], options?: { signal?: AbortSignal }): AsyncIterable<ChatEvent>;
}

export interface AnswererOptions {
  retriever: Retriever;
  stats: TermStats;
  calibration: Calibration;
  /** The LLM to answer with; null for extractive answers only. */
  llm: LlmOptions | null;
  sources?: PipelineOptions['sources'];
  /** Key of the answer signatures (ANSWER_SIGNING_KEY); default: random per process. */
  signingKey?: string;
  log?: (msg: string) => void;
}

/** Defaults of answer verification (one place). */
export const DEFAULT_VERIFICATION = {
  /** An LLM answer with fewer of its cited claims verified is replaced by the extractive answer. */
  minVerified: 0.5,
} as const;

/**
 * The answerer every entry (Node, Workers, CLI) serves: extractive answers, or the LLM's with the
 * extractive answer as its fallback.
 */
export function createAnswerer(options: AnswererOptions): Answerer {
  const log = options.log ?? (() => {});
  const { minSupport, minCosine } = options.calibration.claims;
  const embedder = options.retriever.embedder;
  const evidence = { stats: options.stats, minSupport, dense: embedder && minCosine !== null ? { embedder, minCosine } : null };
  const extractive = withEvidence(extractiveComposer(options.stats), evidence);
  const composer = options.llm
    ? withFallback(withEvidence(llmComposer(options.llm), { ...evidence, minVerified: DEFAULT_VERIFICATION.minVerified }), extractive, {
        onFallback: (reason, error) => log(`llm fallback: ${error instanceof LlmFailure ? error.detail : reason}`),
      })
    : extractive;
  return createAnswerPipeline({ ...options, composer, signer: createAnswerSigner(options.signingKey) });
}
