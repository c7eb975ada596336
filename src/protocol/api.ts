import { z } from 'zod';

/**
 * The wire contract of the product's own routes (DESIGN.md): request and response bodies, one
 * definition for the server (validation, OpenAPI), the widget and the Worker. No runtime imports
 * beyond zod.
 */
import { ChatMessageSchema } from './chat.js';
import { MAX_TURNS } from './limits.js';

export const SearchRequestSchema = z.object({
  query: z.string().trim().min(1, 'query must not be empty').max(2000, 'query may hold at most 2000 characters'),
  k: z.number().int().min(1).max(50).default(10),
});

export const SearchResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  score: z.number(),
  snippet: z.string().optional(),
});
export type SearchResult = z.infer<typeof SearchResultSchema>;

export const ChatRequestSchema = z.object({
  messages: z
    .array(ChatMessageSchema)
    .min(1, 'messages must hold at least one message')
    .max(MAX_TURNS, `messages may hold at most ${MAX_TURNS} turns`)
    .refine((m) => m[m.length - 1]?.role === 'user', 'the last message must have role "user"')
    .refine((m) => (m[m.length - 1]?.content.trim().length ?? 0) > 0, 'the last user message must not be empty'),
  stream: z.boolean().default(false),
});

export { HealthSchema, type Health } from './health.js';
export { PaperSchema as PaperResponseSchema } from './papers.js';

export const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
