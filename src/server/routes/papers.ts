import { Hono } from 'hono';
import type { Retriever } from '../../retrieval/retriever.js';
import { ApiError } from '../errors.js';

/** The 404 of a paper id the collection does not have. */
export const paperNotFound = (id: string) => new ApiError(404, 'paper_not_found', `No paper has the id "${id}". Ids come from /api/search results and answer citations.`);

/** `GET /api/papers/:id` → the paper's title and abstract; 404 for an unknown id. */
export function paperRoutes(retriever: Retriever) {
  return new Hono().get('/api/papers/:id', async (c) => {
    const id = c.req.param('id');
    const paper = await retriever.getPaper(id);
    if (!paper) throw paperNotFound(id);
    return c.json(paper);
  });
}
