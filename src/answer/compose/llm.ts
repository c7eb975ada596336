import { finalizeCitations } from '../citations.js';
import { leaksPrompt, LlmFailure, NOT_COVERED, streamLlmAnswer, type LlmOptions } from '../llm.js';
import { numbered, type Composer, type Composition } from './composer.js';

/**
 * Answers with the configured OpenAI-compatible LLM over the numbered sources, streaming its text.
 * `[NONE]` means the sources do not answer; an answer that cites no source is a failure (wrap the
 * composer with `withFallback` to answer extractively then).
 */
export function llmComposer(llm: LlmOptions): Composer {
  return {
    mode: 'llm',
    async *compose(input, signal): AsyncGenerator<string, Composition> {
      const sources = numbered(input.sources);
      const withAbstracts = sources.map((s, i) => ({ ...s, abstract: input.sources[i]!.abstract }));
      const raw = (yield* streamLlmAnswer(llm, input.messages, withAbstracts, signal)).trim();
      if (raw.startsWith(NOT_COVERED)) return { kind: 'not-covered', mode: 'llm' };
      if (leaksPrompt(raw, llm.prompts.answer)) throw new LlmFailure('the LLM answer repeated its instructions', 'the LLM answer repeated its prompt (canary or instructions)');
      const final = finalizeCitations(raw, sources);
      if (!final.citations.length) throw new LlmFailure(raw ? 'the LLM answer cited none of the sources' : 'the LLM returned an empty answer');
      return { kind: 'answer', mode: 'llm', ...final };
    },
  };
}
