import { z } from 'zod';
import { ChatResultSchema } from './chat.js';
import { MAX_TURNS } from './limits.js';

/**
 * The wire contract of the OpenAI-compatible routes (`POST /v1/chat/completions`,
 * `GET /v1/models`): what OpenAI clients (the `openai` SDK, Open WebUI, LibreChat, curl) send and
 * get. Fields this server does not use (temperature, max_tokens, tools, user, ...) are accepted and
 * ignored; the answer comes from the cited answerer whatever they say.
 */

/** The one model this server offers. */
export const OPENAI_MODEL_ID = 'paper-chat';

/** A content part (`[{type: "text", text}]`, as LibreChat and vision clients send); parts other than text are ignored. */
const ContentPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

export const OpenAiMessageSchema = z.looseObject({
  /** `system` and `developer` messages are ignored (the server has its own instructions); `tool` and `function` too. */
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(ContentPartSchema), z.null()]).optional(),
  name: z.string().optional(),
});
export type OpenAiMessage = z.infer<typeof OpenAiMessageSchema>;

export const ChatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1, 'model must name a model: paper-chat'),
  messages: z
    .array(OpenAiMessageSchema)
    // System messages come on top of the conversation's turns.
    .min(1, 'messages must hold at least one message')
    .max(MAX_TURNS * 2, `messages may hold at most ${MAX_TURNS * 2} messages`),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  /** Only one choice is ever written. */
  n: z.literal(1, 'n must be 1: the server writes one answer').nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** Perplexity's `search_results` item (title, url, date, snippet), plus the paper's id, its source number and the quote the answer rests on. */
export const SearchResultItemSchema = z.object({
  title: z.string(),
  url: z.string(),
  /** The paper's year, when the corpus has it. */
  date: z.string().nullable(),
  /** The quote the answer rests on for a cited paper, else the paper's best-matching sentence. */
  snippet: z.string().optional(),
  /** The source number: `[n]` in the content. */
  n: z.number().int().positive(),
  id: z.string(),
  cited: z.boolean(),
});

/** The extension fields every response and the final chunk carry. */
export const CompletionCitationsSchema = z.object({
  /**
   * As Perplexity's: `citations[n - 1]` is the URL of the source `[n]` in the content (the paper's
   * own URL from the corpus, else this server's `/api/papers/:id`).
   */
  citations: z.array(z.string()),
  /** As Perplexity's `search_results`: one per source, in source order. */
  search_results: z.array(SearchResultItemSchema),
  /**
   * The cited answer in this server's own contract (the `/api/chat` result: citations with quotes,
   * `abstained`, `verified`, `abstention`, `signature`), plus `content`, the message's complete final
   * content. On a stream it is on the final chunk: a client that must show the final text (markers
   * may be added or moved once the answer is checked) replaces what it accumulated with `content`.
   */
  paper_chat: ChatResultSchema.extend({ content: z.string() }),
});
export type CompletionCitations = z.infer<typeof CompletionCitationsSchema>;

const UsageSchema = z.object({
  /** Estimated (about 4 characters a token): the server uses no tokenizer. */
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

export const ChatCompletionSchema = CompletionCitationsSchema.extend({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal('assistant'), content: z.string(), refusal: z.null() }),
      finish_reason: z.literal('stop'),
      logprobs: z.null(),
    }),
  ),
  usage: UsageSchema,
});
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

/** One `data:` event of a stream; the last is followed by `data: [DONE]`. */
export const ChatCompletionChunkSchema = CompletionCitationsSchema.partial().extend({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional() }),
      finish_reason: z.literal('stop').nullable(),
      logprobs: z.null(),
    }),
  ),
  /** Only on the chunk after the last choice, with `stream_options: {include_usage: true}`; null before. */
  usage: UsageSchema.nullable().optional(),
});
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunkSchema>;

export const ModelSchema = z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() });
export const ModelListSchema = z.object({ object: z.literal('list'), data: z.array(ModelSchema) });
