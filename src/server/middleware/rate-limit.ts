import type { Context, MiddlewareHandler } from 'hono';
import { MemoryStore, rateLimiter, type ClientRateLimitInfo, type HonoConfigType, type Store } from 'hono-rate-limiter';

export interface WeightedRateLimitOptions {
  /** Units each client may spend per window. */
  limit: number;
  /** The window, in ms. Defaults to 60,000 (a minute). */
  windowMs?: number;
  /** What a request costs, in units. Defaults to 1 for every request. */
  cost?: (c: Context) => number;
  /** Identifies the client. */
  key: (c: Context) => string;
  /** Requests neither counted nor refused. Defaults to none. */
  skip?: (c: Context) => boolean;
  /** Answers a client over its budget; `retryAfterSeconds` is when its window resets. */
  onLimited: (c: Context, retryAfterSeconds: number) => Response;
}

const DEFAULT_RATE_LIMIT = { windowMs: 60_000, cost: () => 1 } as const;

/** Between the cost and the client's key in the key the store sees. */
const SEP = '\u0000';

/**
 * hono-rate-limiter's memory store, counting a request as many hits as it costs: the key it is
 * given is `cost SEP clientKey` (the middleware passes the key through untouched), the count is
 * kept per client.
 */
class WeightedStore implements Store {
  private readonly inner = new MemoryStore();
  init(options: HonoConfigType) {
    this.inner.init(options);
  }
  increment(key: string): ClientRateLimitInfo {
    const at = key.indexOf(SEP);
    const cost = Number(key.slice(0, at));
    const client = key.slice(at + 1);
    let info = this.inner.increment(client);
    for (let i = 1; i < cost; i++) info = this.inner.increment(client);
    return info;
  }
  decrement(key: string) {
    this.inner.decrement(key.slice(key.indexOf(SEP) + 1));
  }
  resetKey(key: string) {
    this.inner.resetKey(key.slice(key.indexOf(SEP) + 1));
  }
}

/**
 * One budget per client for every request it makes, each weighted by its cost (a chat costs more
 * than a search): hono-rate-limiter with a store that counts a request's cost, so 20 chats and 120
 * searches do not both fit in a minute of 120 units. Over the budget, `onLimited` answers.
 *
 * @example
 * app.use('/api/*', weightedRateLimit({ limit: 120, cost: (c) => (c.req.path === '/api/chat' ? 6 : 1), key: (c) => ip(c), onLimited }))
 */
export function weightedRateLimit(options: WeightedRateLimitOptions): MiddlewareHandler {
  const o = { ...DEFAULT_RATE_LIMIT, ...options };
  return rateLimiter({
    windowMs: o.windowMs,
    limit: o.limit,
    standardHeaders: 'draft-7',
    store: new WeightedStore(),
    keyGenerator: (c) => `${Math.max(1, Math.round(o.cost(c)))}${SEP}${o.key(c)}`,
    skip: o.skip ?? (() => false),
    handler: (c) => o.onLimited(c, Number(/reset=(\d+)/.exec(c.res.headers.get('ratelimit') ?? '')?.[1] ?? Math.ceil(o.windowMs / 1000))),
  });
}
