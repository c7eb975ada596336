import OpenAI from 'openai';
import { llmConfigured, type Config } from '../config.js';
import type { LlmOptions } from './llm.js';
import type { PromptTemplates } from './prompts.js';
import type { AiLike } from '../platform/workers/bindings.js';
import { workersAiFetch } from '../platform/workers/workers-ai-fetch.js';

/** An OpenAI SDK client for any compatible server; a local server needs no key. */
export function createOpenAIClient(config: { OPENAI_API_KEY?: string; OPENAI_BASE_URL?: string; LLM_TIMEOUT_MS: number }, fetchImpl?: typeof fetch): OpenAI {
  return new OpenAI({
    apiKey: config.OPENAI_API_KEY ?? 'not-needed',
    ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    timeout: config.LLM_TIMEOUT_MS,
    // A failed call falls back to the extractive answer at once rather than retrying.
    maxRetries: 0,
  });
}

/** The LLM settings from the configuration, or null when no LLM is configured (extractive answers). */
export function llmFromConfig(config: Config, prompts: PromptTemplates): LlmOptions | null {
  if (!llmConfigured(config)) return null;
  return llmOptions(createOpenAIClient(config), config.OPENAI_MODEL, config, prompts);
}

/** A Workers AI text model (WORKERS_AI_MODEL) through the AI binding, behind the same client (see `workersAiFetch`). */
export function workersAiLlm(ai: AiLike, model: string, config: Config, prompts: PromptTemplates): LlmOptions {
  const client = createOpenAIClient({ LLM_TIMEOUT_MS: config.LLM_TIMEOUT_MS, OPENAI_BASE_URL: 'https://workers-ai.invalid/v1' }, workersAiFetch(ai, model));
  return llmOptions(client, model, config, prompts);
}

function llmOptions(client: OpenAI, model: string, config: Config, prompts: PromptTemplates): LlmOptions {
  return {
    client,
    model,
    timeoutMs: config.LLM_TIMEOUT_MS,
    deadlineMs: config.LLM_DEADLINE_MS,
    maxTokens: config.LLM_MAX_TOKENS,
    prompts,
  };
}
