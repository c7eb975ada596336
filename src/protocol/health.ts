import { z } from 'zod';

/** `GET /health`: counts and which retrieval and answer modes are live. */
export const HealthSchema = z.object({
  /** `degraded` (HTTP 503) when a real search through the index fails: the service cannot answer. */
  status: z.enum(['ok', 'degraded']),
  /** What failed, when degraded. */
  problem: z.string().optional(),
  papers: z.number().int(),
  dense: z.boolean(),
  embedder: z.string(),
  /** Why dense retrieval is off, when it is. */
  denseUnavailable: z.string().optional(),
  llm: z.string(),
  /** Whether `POST /api/feedback` takes feedback (FEEDBACK and a database); clients hide their feedback controls when it is false (or absent, from an older server). */
  feedback: z.boolean(),
});
export type Health = z.infer<typeof HealthSchema>;
