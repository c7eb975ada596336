/**
 * The parts of Cloudflare's bindings this app uses, as types only: the bindings are injected by
 * the Worker entry (`src/worker.ts`), so nothing here depends on the Workers runtime, and tests
 * pass their own implementations.
 */

/** D1 (`env.DB`). */
export interface D1Like {
  prepare(query: string): D1StatementLike;
}
export interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
}

/** Vectorize (`env.VECTORS`). */
export interface VectorizeLike {
  query(vector: number[], options: { topK: number; returnValues?: boolean; returnMetadata?: 'none' | 'indexed' | 'all' }): Promise<{ matches: { id: string; score: number }[] }>;
}

/** Workers AI (`env.AI`). */
export interface AiLike {
  run(model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
}

/** Static assets (`env.ASSETS`). */
export interface AssetsLike {
  fetch(input: string): Promise<Response>;
}

/** A rate-limiting binding (wrangler.toml `[[ratelimits]]`). */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}
