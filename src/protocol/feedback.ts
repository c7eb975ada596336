import { z } from 'zod';
import { CITE_FORMATS, type CiteFormat } from './papers.js';

export { CITE_FORMATS, type CiteFormat };

/**
 * The wire contract of feedback (`POST /api/feedback`) and references
 * (`GET /api/papers/:id/cite`). No runtime imports beyond zod.
 */

/** Characters of a feedback comment. */
export const MAX_COMMENT_CHARS = 2000;

/** 👍/👎 on an answer this server wrote, named by the `signature` it carried. */
export const FeedbackRequestSchema = z.object({
  signature: z.string().regex(/^[0-9a-f]{64}$/, 'signature must be the 64 hex digits of an answer’s "signature"'),
  vote: z.enum(['up', 'down']),
  /** A paper id the answer cited that the reader marks as a wrong citation. */
  citation: z.string().min(1).max(200).optional(),
  /** What the reader typed, if anything; stored as written. */
  comment: z.string().trim().max(MAX_COMMENT_CHARS, `comment may hold at most ${MAX_COMMENT_CHARS} characters`).optional(),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

export type Vote = FeedbackRequest['vote'];

export const FeedbackResponseSchema = z.object({ id: z.string() });
export type FeedbackResponse = z.infer<typeof FeedbackResponseSchema>;

/** Media type of each reference format. */
export const CITE_MEDIA_TYPES: Record<CiteFormat, string> = {
  bibtex: 'application/x-bibtex; charset=utf-8',
  ris: 'application/x-research-info-systems; charset=utf-8',
  csl: 'application/vnd.citationstyles.csl+json; charset=utf-8',
};

export const CiteQuerySchema = z.object({
  format: z.enum(CITE_FORMATS, { error: `format must be one of ${CITE_FORMATS.join(', ')}` }).default('bibtex'),
});
