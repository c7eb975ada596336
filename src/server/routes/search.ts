import { Hono } from 'hono';
import type { Retriever } from '../../retrieval/retriever.js';
import { jsonBody } from '../middleware/json-body.js';
import { SearchRequestSchema, type SearchResult } from '../../protocol/api.js';

/** The top-k papers for a query, each with its fused score and best-matching sentence. */
export async function searchResults(retriever: Retriever, query: string, k: number): Promise<SearchResult[]> {
  const hits = await retriever.search(query, k);
  const snippets = retriever.snippets(hits.map((h) => h.paper), query);
  return hits.map((h, i) => ({
    id: h.paper.id,
    title: h.paper.title,
    score: Number(h.score.toFixed(6)),
    snippet: snippets[i],
  }));
}

/** `POST /api/search {query, k?}` → the top-k papers with a fused score and the best-matching sentence. */
export function searchRoutes(retriever: Retriever) {
  return new Hono().post('/api/search', jsonBody(SearchRequestSchema), async (c) => {
    const { query, k } = c.get('body');
    return c.json({ results: await searchResults(retriever, query, k) });
  });
}
