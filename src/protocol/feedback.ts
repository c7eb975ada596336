import { z } from 'zod';

/**
 * `POST /api/feedback`: a reader's verdict on one answer this server wrote, named by the answer's
 * `signature` (ChatResult). `citation` is the id of a paper the reader marks as wrongly cited
 * (with `vote: "down"`). Answers `201 {"id"}`; an unknown signature gets 404 `unknown_answer`.
 */
export const FeedbackRequestSchema = z.object({
  signature: z.string().min(1).max(128),
  vote: z.enum(['up', 'down']),
  citation: z.string().max(200).optional(),
  comment: z.string().max(2000).optional(),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;
export type Vote = FeedbackRequest['vote'];

export const FeedbackResponseSchema = z.object({ id: z.string() });
export type FeedbackResponse = z.infer<typeof FeedbackResponseSchema>;
