import type { Retriever } from '../retrieval/retriever.js';
import type { TermStats } from '../retrieval/term-stats.js';
import type { Calibration } from '../support/calibrate.js';
import { extractiveComposer } from './compose/extractive.js';
import { llmComposer } from './compose/llm.js';
import { withFallback } from './compose/with-fallback.js';
import { LlmFailure, type LlmOptions } from './llm.js';
import { createAnswerPipeline, type Answerer } from './pipeline.js';
import { createAnswerSigner } from './signing.js';

export type { Answerer } from './pipeline.js';

export interface AnswererOptions {
  retriever: Retriever;
  stats: TermStats;
  calibration: Calibration;
  /** The LLM to answer with; null for extractive answers only. */
  llm: LlmOptions | null;
  /** Key of the answer signatures (ANSWER_SIGNING_KEY); default: random per process. */
  signingKey?: string;
  log?: (msg: string) => void;
}

/** Defaults of answer verification (one place). */
export const DEFAULT_VERIFICATION = {
  /** Defaults to 0.67: an LLM answer with a smaller share of its sentences borne out is replaced by the extractive answer. */
  minVerified: 0.67,
} as const;

/**
 * The answerer every entry (Node, Workers, CLI) serves: extractive answers, or the LLM's with the
 * extractive answer as its fallback.
 */
export function createAnswerer(options: AnswererOptions): Answerer {
  const log = options.log ?? (() => {});
  const { minSupport, minCosine } = options.calibration.claims;
  const embedder = options.retriever.embedder;
  const extractive = extractiveComposer();
  const composer = options.llm
    ? withFallback(
        llmComposer(options.llm, { stats: options.stats, minSupport, dense: embedder && minCosine !== null ? { embedder, minCosine } : null, minVerified: DEFAULT_VERIFICATION.minVerified }),
        extractive,
        { onFallback: (reason, error) => log(`llm fallback: ${error instanceof LlmFailure ? error.detail : reason}`) },
      )
    : extractive;
  return createAnswerPipeline({ ...options, composer, signer: createAnswerSigner(options.signingKey) });
}
