import { Hono } from 'hono';
import { formatReferences } from '../../corpus/references.js';
import { CITE_MEDIA_TYPES, CiteQuerySchema } from '../../protocol/feedback.js';
import type { Retriever } from '../../retrieval/retriever.js';
import { ApiError, describeZodError } from '../errors.js';
import { paperNotFound } from './papers.js';

/**
 * `GET /api/papers/:id/cite?format=bibtex|ris|csl` → the paper's reference in that format (BibTeX
 * by default), from what the corpus holds; 404 for an unknown id, 400 for another format.
 */
export function citeRoutes(retriever: Retriever) {
  return new Hono().get('/api/papers/:id/cite', async (c) => {
    const parsed = CiteQuerySchema.safeParse(c.req.query());
    if (!parsed.success) throw new ApiError(400, 'invalid_request', describeZodError(parsed.error));
    const { format } = parsed.data;
    const id = c.req.param('id');
    const paper = await retriever.getPaper(id);
    if (!paper) throw paperNotFound(id);
    return c.body(formatReferences([paper], format), 200, { 'Content-Type': CITE_MEDIA_TYPES[format] });
  });
}
