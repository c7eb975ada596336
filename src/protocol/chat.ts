import { z } from 'zod';
import { MAX_CITED_IDS, MAX_MESSAGE_CHARS } from './limits.js';

/**
 * The wire contract of `/api/chat` (DESIGN.md), one definition for the server and, as types only,
 * the browser code. Sizes live in ./limits.ts.
 */

/**
 * One turn of the conversation as the client sends it. An assistant turn may carry the ids of the
 * papers it cited (in order, as in its `citations`), so a follow-up ("what datasets did they
 * use?") is about exactly those papers; without them the server finds them from the text.
 */
export const ChatMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string().max(MAX_MESSAGE_CHARS, `a message may hold at most ${MAX_MESSAGE_CHARS} characters`),
  citations: z.array(z.string().max(200)).max(MAX_CITED_IDS).optional(),
  /** For an assistant turn: the `signature` the server gave that answer; unsigned turns do not reach the LLM. */
  signature: z.string().max(128).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** A literal span of a paper's abstract: `abstract.slice(start, end) === text`. */
export const QuoteSchema = z.object({ text: z.string(), start: z.number().int().min(0), end: z.number().int().min(0) });
export type Quote = z.infer<typeof QuoteSchema>;

/** A numbered source the answer cites: `[n]` in the answer text refers to it. */
export const CitationSchema = z.object({
  n: z.number().int().positive(),
  id: z.string(),
  title: z.string(),
  /** The sentence(s) of the abstract the answer rests on for this citation. */
  quote: QuoteSchema.optional(),
});
export type Citation = z.infer<typeof CitationSchema>;

/** A cited claim of the answer that its cited abstracts do not bear out. */
export const UnsupportedSchema = z.object({ sentence: z.string(), markers: z.array(z.number().int()) });
export type Unsupported = z.infer<typeof UnsupportedSchema>;

/**
 * Why an answer abstained (`abstained: true`): the collection does not cover the question
 * (`not_covered`, with `related` papers or none); the abstract of the paper the question is about
 * does not state what was asked (`not_stated`); the question's premise is not what that paper says
 * (`false_premise`); or the request is not a question about the papers (`refused`). The middle two
 * name the paper and carry its closest sentence, which the answer cites as [1].
 */
export const AbstentionSchema = z.object({
  kind: z.enum(['not_covered', 'not_stated', 'false_premise', 'refused']),
  /** The paper the question is about (not_stated, false_premise). */
  paper: z.object({ id: z.string(), title: z.string() }).optional(),
  /** What the abstract does not state, or the premise it does not support, in the question's words. */
  missing: z.string().optional(),
  /** The paper's closest sentence: a literal span of its abstract. */
  quote: QuoteSchema.optional(),
});
export type Abstention = z.infer<typeof AbstentionSchema>;

/** The complete answer: the non-streaming body and the streamed `done` event alike. */
export const ChatResultSchema = z.object({
  answer: z.string(),
  citations: z.array(CitationSchema),
  abstained: z.boolean(),
  mode: z.enum(['llm', 'extractive']),
  /** Why the LLM answer was replaced by the extractive one. */
  fallback: z.string().optional(),
  /** Markers the LLM wrote that pointed to no source; they were removed from `answer`. */
  removedMarkers: z.array(z.number().int()).optional(),
  /** Cited claims not found in the cited abstracts (as written in `answer`, markers included). */
  unsupported: z.array(UnsupportedSchema).optional(),
  /** Share of the answer's cited claims verified against their cited abstracts (0..1). */
  verified: z.number().min(0).max(1).optional(),
  /** The server's signature of this answer: send it back with the assistant turn (see ChatMessage). */
  signature: z.string().optional(),
  /** Follow-up questions the reader may ask next, each about papers of the collection. */
  suggestions: z.array(z.string()).optional(),
  /** Papers that came close but do not answer the question (on abstention). */
  related: z.array(z.object({ id: z.string(), title: z.string() })).optional(),
  /** Why the answer abstained, when it did. */
  abstention: AbstentionSchema.optional(),
});
export type ChatResult = z.infer<typeof ChatResultSchema>;

/** A source offered to the answerer, numbered as the prompt and the `sources` event show it. */
export const SourceSchema = CitationSchema.omit({ quote: true }).extend({ snippet: z.string().optional() });
export type Source = z.infer<typeof SourceSchema>;

/**
 * What the answer pipeline decided, for the server's own records (coverage gaps, feedback): the
 * decision's kind and its calibrated probability that the collection answers the question (null
 * when no search was made, e.g. a refusal). Never sent to clients.
 */
export interface DecisionTrace {
  kind: 'answer' | Abstention['kind'];
  probability: number | null;
  /** The question as searched (a follow-up condensed, a non-English question in English). */
  query: string;
}

/** What an answerer emits, in order: sources once, deltas, then done (or error). */
export type ChatEvent =
  | { type: 'sources'; sources: Source[] }
  | { type: 'delta'; text: string }
  | { type: 'done'; result: ChatResult; trace?: DecisionTrace }
  | { type: 'error'; code: string; message: string };
