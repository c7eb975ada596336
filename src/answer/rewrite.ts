import type { ChatMessage } from '../protocol/chat.js';
import { complete, DEFAULT_LLM_BOUNDS, type Budget, type LlmOptions } from './llm.js';
import { formatHistory, render } from './prompts.js';

/**
 * Rewrites the last message as one standalone English search query (the `condense` prompt): a
 * follow-up ("what datasets did they use?") gains what it refers to, a question in another
 * language is translated. Returns null when the LLM fails or answers nothing usable: the caller
 * then searches with the conversation-based query.
 */
export async function rewriteQuery(llm: LlmOptions, messages: readonly ChatMessage[], budget: Budget, signal?: AbortSignal): Promise<string | null> {
  const question = messages[messages.length - 1]!.content;
  const prompt = render(llm.prompts.condense, { history: formatHistory(messages.slice(0, -1).slice(-4)), question });
  try {
    const text = await complete(llm, [{ role: 'user', content: prompt }], DEFAULT_LLM_BOUNDS.rewriteTokens, budget, signal);
    const query = text.split('\n').map((l) => l.trim()).find(Boolean)?.replace(/^["'“]|["'”]$/g, '').trim() ?? '';
    return query.length >= 3 ? query : null;
  } catch (e) {
    if (signal?.aborted) throw e;
    return null;
  }
}
