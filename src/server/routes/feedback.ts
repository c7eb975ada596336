import { Hono } from 'hono';
import type { FeedbackStore } from '../../insights/store.js';
import { FeedbackRequestSchema } from '../../protocol/feedback.js';
import { ApiError } from '../errors.js';
import { jsonBody } from '../middleware/json-body.js';

/**
 * `POST /api/feedback {signature, vote, citation?, comment?}` → 201 `{id}`. Only answers this
 * server wrote and recorded can be rated: any other signature is a 404 (`unknown_answer`); a
 * `citation` must be one of the answer's cited papers.
 */
export function feedbackRoutes(store: FeedbackStore) {
  return new Hono().post('/api/feedback', jsonBody(FeedbackRequestSchema), async (c) => {
    const feedback = c.get('body');
    const answer = await store.answer(feedback.signature);
    if (!answer) {
      throw new ApiError(404, 'unknown_answer', 'This server has no answer with that signature: feedback can only be given on answers it wrote. Send the "signature" of an answer from /api/chat.');
    }
    if (feedback.citation !== undefined && !answer.citations.includes(feedback.citation)) {
      throw new ApiError(400, 'invalid_request', `citation: "${feedback.citation}" is not one of the answer's cited papers (${answer.citations.join(', ') || 'it cites none'}).`);
    }
    const id = await store.addFeedback({ ...feedback, at: Date.now() });
    return c.json({ id }, 201);
  });
}
