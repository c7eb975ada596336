import type { Context } from 'hono';
import { randomUUID } from 'node:crypto';
import type { Paper } from '../corpus/schema.js';

/** Marks the start-up warm-up's own requests: not rate limited, not logged, answered on any Host. */
const WARM_UP_HEADER = 'x-paper-chat-warm-up';
const WARM_UP_TOKEN = randomUUID();

/** True for a request of this process's own warm-up. */
export const isWarmUp = (c: Context) => c.req.header(WARM_UP_HEADER) === WARM_UP_TOKEN;

/** The start-up warm-up: at most this many searches, stopped once the budget is spent, then a few chats. */
export const WARM_UP = { searches: 100, budgetMs: 300, chats: 5 } as const;

/**
 * Sends searches and chats to the freshly started server over loopback HTTP, with questions made
 * from the corpus's own sentences, so that the first users do not pay for JIT compilation (the
 * first hundred requests run about twice as slow otherwise). At most about 300 ms at start-up.
 * Chats warm up only without an LLM: they must not spend anyone's tokens. Stops, without an error,
 * when `stopped()` turns true (a shutdown began meanwhile).
 */
export async function warmUp(url: string, papers: readonly Paper[], withChat: boolean, stopped: () => boolean): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const headers = { 'content-type': 'application/json', [WARM_UP_HEADER]: WARM_UP_TOKEN };
    const res = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    await res.arrayBuffer();
  };
  const questions = papers.slice(0, WARM_UP.searches).map((p) => p.abstract.split(/(?<=\.)\s/)[0]!.slice(0, 300));
  const until = performance.now() + WARM_UP.budgetMs;
  try {
    for (const query of questions) {
      if (performance.now() > until || stopped()) return;
      await post('/api/search', { query, k: 10 });
    }
    if (withChat) for (const q of questions.slice(0, WARM_UP.chats)) if (!stopped()) await post('/api/chat', { messages: [{ role: 'user', content: q }] });
  } catch (e) {
    if (!stopped()) throw e;
  }
}
