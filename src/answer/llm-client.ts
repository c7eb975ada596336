import OpenAI from 'openai';
import { llmConfigured, type Config } from '../config.js';
import type { LlmOptions } from './llm.js';
import type { PromptTemplates } from './prompts.js';

/** An OpenAI SDK client for any compatible server; a local server needs no key. */
export function createOpenAIClient(config: { OPENAI_API_KEY?: string; OPENAI_BASE_URL?: string; LLM_TIMEOUT_MS: number }): OpenAI {
  return new OpenAI({
    apiKey: config.OPENAI_API_KEY ?? 'not-needed',
    ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    timeout: config.LLM_TIMEOUT_MS,
    // A failed call falls back to the extractive answer at once rather than retrying.
    maxRetries: 0,
  });
}

/** The LLM settings from the configuration, or null when no LLM is configured (extractive answers). */
export function llmFromConfig(config: Config, prompts: PromptTemplates): LlmOptions | null {
  if (!llmConfigured(config)) return null;
  return {
    client: createOpenAIClient(config),
    model: config.OPENAI_MODEL,
    timeoutMs: config.LLM_TIMEOUT_MS,
    deadlineMs: config.LLM_DEADLINE_MS,
    maxTokens: config.LLM_MAX_TOKENS,
    prompts,
  };
}
