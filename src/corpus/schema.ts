import { z } from 'zod';

/** URL-safe, stable paper id: lowercase slug characters only. */
export const PaperIdSchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9][a-z0-9._~-]*$/, 'must be URL-safe: lowercase letters, digits, ".", "_", "~" or "-"');

/** One record of a JSON/JSONL corpus, as users write it. */
export const CorpusRecordSchema = z.object({
  id: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), PaperIdSchema).optional(),
  title: z.string().trim().min(1, 'title is empty'),
  abstract: z.string().trim().min(1, 'abstract is empty'),
  url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) address' }).optional(),
  authors: z
    .union([z.array(z.string().trim().min(1)), z.string()])
    .transform((a) => (typeof a === 'string' ? a.split(/\s*[,;]\s*|\s+and\s+/).filter(Boolean) : a))
    .optional(),
  year: z.coerce.number().int().min(1000).max(3000).optional(),
});
export type CorpusRecord = z.infer<typeof CorpusRecordSchema>;

/** A paper as the rest of the pipeline sees it: validated, with its id assigned. */
export const PaperSchema = z.object({
  id: PaperIdSchema,
  title: z.string().min(1),
  abstract: z.string().min(1),
  url: z.string().optional(),
  authors: z.array(z.string()).optional(),
  year: z.number().int().optional(),
});
export type Paper = z.infer<typeof PaperSchema>;

/** A line (or record) of the input that the parser could not use, reported rather than dropped. */
export interface CorpusIssue {
  /** 1-based line number in the source file (record number for a JSON array). */
  line: number;
  /** What happened and what the parser did about it. */
  reason: string;
  /** The start of the offending text. */
  excerpt: string;
}
