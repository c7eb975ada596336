import { Hono } from 'hono';
import type { Answerer } from '../../answer/answerer.js';
import type { Retriever } from '../../retrieval/retriever.js';
import type { Health } from '../../protocol/api.js';

export interface HealthDeps {
  retriever: Retriever;
  answerer: Pick<Answerer, 'label'>;
  /** Embedder id, or `none`; and why dense retrieval is off, when it is. */
  embedder: { id: string; unavailable?: string };
  log: (msg: string) => void;
  /** Whether `POST /api/feedback` is mounted (FEEDBACK with a store). */
  feedback: boolean;
}

/**
 * What failed, or null when a real search through the index works. The smoke query: a paper's own
 * title must find that paper among the BM25 top 5 (cheap, and it exercises the index), and the
 * dense list, when there is one, must answer too. The fused list is not checked: which paper it
 * ranks first is the embedder's business.
 */
export async function indexProblem(retriever: Retriever, log: (msg: string) => void): Promise<string | null> {
  try {
    const probe = await retriever.samplePaper();
    const lists = probe ? await retriever.lists(probe.title, 5) : null;
    if (!probe || !lists) return 'the index holds no papers: run npm run ingest';
    if (!lists.lexical.slice(0, 5).some((h) => h.id === probe.id)) return 'a search for a paper’s own title does not find it: the index is inconsistent; run npm run ingest -- --force';
    if (lists.dense && !lists.dense.length) return 'the dense retriever returns nothing: run npm run ingest -- --force';
    return null;
  } catch (e) {
    log(`health: the smoke search failed: ${e instanceof Error ? e.message : String(e)}`);
    return 'searching the index fails: run npm run ingest -- --force';
  }
}

/**
 * `GET /health` → counts and which retrieval and answer modes are live, after a real search through
 * the index (a smoke query): 200 `ok`, or 503 `degraded` saying what failed.
 */
export function healthRoutes(deps: HealthDeps) {
  return new Hono().get('/health', async (c) => {
    const problem = await indexProblem(deps.retriever, deps.log);
    const health: Health = {
      status: problem ? 'degraded' : 'ok',
      ...(problem ? { problem } : {}),
      papers: deps.retriever.size,
      dense: deps.retriever.dense,
      embedder: deps.embedder.id,
      ...(deps.embedder.unavailable ? { denseUnavailable: deps.embedder.unavailable } : {}),
      llm: deps.answerer.label,
      feedback: deps.feedback,
    };
    return c.json(health, problem ? 503 : 200);
  });
}
