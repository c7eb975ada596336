import { z } from 'zod';
import { ChatResultSchema } from './chat.js';
import { MAX_MESSAGE_CHARS } from './limits.js';
import { SearchRequestSchema, SearchResultSchema } from './api.js';
import { PaperSchema } from './papers.js';

/**
 * The wire contract of the MCP tools (`/mcp` and `npm run mcp`): each tool's arguments and
 * structured result. No runtime imports beyond zod.
 */

export const SearchPapersInput = SearchRequestSchema.extend({
  query: SearchRequestSchema.shape.query.describe('What to look for, in plain words: a topic, a method, a title.'),
  k: SearchRequestSchema.shape.k.describe('How many papers to return (1 to 50; default 10).'),
});
export const SearchPapersOutput = z.object({ results: z.array(SearchResultSchema) });

export const GetPaperInput = z.object({ id: z.string().min(1).max(200).describe('A paper id, as search_papers and ask_papers give them.') });
export const GetPaperOutput = PaperSchema;

export const AskPapersInput = z.object({
  question: z.string().trim().min(1, 'question must not be empty').max(MAX_MESSAGE_CHARS).describe('A question about the papers, in plain English.'),
});
/** The cited answer: `/api/chat`'s result (citations with their quotes, abstained, verified). */
export const AskPapersOutput = ChatResultSchema;
