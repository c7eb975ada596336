import type { ChatMessage, Source } from '../protocol/chat.js';

/** The prompt templates (plain text files in `prompts/`), loaded once at start-up. */
export interface PromptTemplates {
  /** System prompt for answering; `{{sources}}` is replaced by the numbered sources. */
  answer: string;
  /** Prompt that condenses a follow-up into a standalone query; `{{history}}`, `{{question}}`. */
  condense: string;
  /**
   * Prompt for follow-up suggestions after an LLM answer; `{{titles}}`, `{{question}}`, `{{answer}}`.
   * Optional: without it suggestions come from the cited papers alone.
   */
  suggest?: string;
}

/** Fills `{{name}}` placeholders; unknown placeholders are left as they are. */
export function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Escapes text placed inside the source delimiters so it cannot close them. */
const escapeData = (s: string) => s.replace(/</g, '‹').replace(/>/g, '›');

/** Numbered sources, clearly delimited as data. */
export function formatSources(sources: readonly (Source & { abstract: string })[]): string {
  return sources.map((s) => `<source n="${s.n}">\nTitle: ${escapeData(s.title)}\nAbstract: ${escapeData(s.abstract)}\n</source>`).join('\n\n');
}

/** The conversation so far as plain lines, for the condense prompt. */
export function formatHistory(messages: readonly ChatMessage[]): string {
  return messages.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content.replace(/\s+/g, ' ').slice(0, 1500)}`).join('\n');
}
