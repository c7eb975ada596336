import { createParser } from 'eventsource-parser';
import type { ChatMessage, ChatResult, CiteFormat, FeedbackRequest, Health, Paper, Source } from './types.js';

/** A failure worth showing the reader: `message` is written for people. */
export class ChatError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

export interface StreamHandlers {
  onSources?(sources: Source[]): void;
  onDelta?(text: string): void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function isResult(v: unknown): v is ChatResult {
  return isObject(v) && typeof v.answer === 'string' && Array.isArray(v.citations) && typeof v.abstained === 'boolean';
}

/** The `{"error":{"code","message"}}` of a non-2xx response, or a generic message. */
async function errorFrom(res: Response): Promise<ChatError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  const err = isObject(body) && isObject(body.error) ? body.error : null;
  if (err && typeof err.message === 'string') return new ChatError(String(err.code ?? 'error'), err.message, res.status);
  return new ChatError('http_' + res.status, `The server answered with an error (HTTP ${res.status}). Try again.`, res.status);
}

/**
 * A fetch that failed without a response: either the server is unreachable, or it refused this
 * page's origin (a 403 without CORS headers looks the same to the browser). `/widget.js` is served
 * to every origin, so probing it tells the two apart.
 */
async function networkError(base: string): Promise<ChatError> {
  const sameOrigin = base === location.origin;
  const reachable =
    !sameOrigin &&
    (await fetch(`${base}/widget.js`, { cache: 'no-store', credentials: 'omit' }).then(
      (r) => r.ok,
      () => false,
    ));
  if (reachable) {
    return new ChatError(
      'origin_not_allowed',
      `The paper chat server at ${base} does not accept requests from this site (${location.origin}). Its operator can add this origin to ALLOWED_ORIGINS.`,
    );
  }
  return new ChatError('network', `Could not reach the paper chat server${sameOrigin ? '' : ` at ${base}`}. Check your connection and try again.`);
}

const aborted = () => new ChatError('aborted', 'Stopped.');

/** A request to the API: rejects with a ChatError when it fails without a response or with a non-2xx one. */
async function call(base: string, path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { credentials: 'omit', ...init });
  } catch {
    if (init.signal?.aborted) throw aborted();
    throw await networkError(base);
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

/**
 * POSTs the conversation to `/api/chat` with `stream: true` and parses the SSE reply
 * (fetch + ReadableStream + eventsource-parser; EventSource cannot POST). Calls the handlers as
 * events arrive and resolves with the `done` result; rejects with a ChatError (code `aborted`
 * when `signal` fires).
 */
export async function streamChat(base: string, messages: ChatMessage[], handlers: StreamHandlers, signal: AbortSignal): Promise<ChatResult> {
  const res = await call(base, '/api/chat', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify({ messages, stream: true }),
    signal,
  });
  if (!/text\/event-stream/i.test(res.headers.get('content-type') ?? '') || !res.body) {
    const body: unknown = await res.json().catch(() => null);
    if (isResult(body)) return body;
    throw new ChatError('bad_response', 'The server sent a response this page does not understand.');
  }

  let result: ChatResult | null = null;
  let failure: ChatError | null = null;
  const parser = createParser({
    onEvent(ev) {
      let data: unknown;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return; // a malformed event is skipped, not fatal
      }
      if (!isObject(data)) return;
      if (ev.event === 'sources' && Array.isArray(data.sources)) handlers.onSources?.(data.sources as Source[]);
      else if (ev.event === 'delta' && typeof data.text === 'string') handlers.onDelta?.(data.text);
      else if (ev.event === 'done' && isResult(data)) result = data;
      else if (ev.event === 'error') {
        const e = isObject(data.error) ? data.error : {};
        failure = new ChatError(String(e.code ?? 'error'), typeof e.message === 'string' ? e.message : 'The answer could not be completed. Try again.');
      }
    },
  });

  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  try {
    while (!result && !failure) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    parser.feed(decoder.decode());
  } catch {
    if (signal.aborted) throw aborted();
    throw new ChatError('network', 'The connection dropped while the answer was streaming. Try again.');
  } finally {
    reader.cancel().catch(() => {});
  }
  if (signal.aborted) throw aborted();
  if (failure) throw failure;
  if (!result) throw new ChatError('incomplete', 'The answer ended before it was complete. Try again.');
  return result;
}

const papers = new Map<string, Promise<Paper>>();

/** `GET /api/papers/:id`, cached per page. */
export function fetchPaper(base: string, id: string): Promise<Paper> {
  const key = `${base}\n${id}`;
  let p = papers.get(key);
  if (!p) {
    p = call(base, `/api/papers/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } })
      .then(async (res) => {
        const body = (await res.json()) as Paper;
        if (!isObject(body) || typeof body.abstract !== 'string') throw new ChatError('bad_response', 'The server sent a paper this page does not understand.');
        return body;
      });
    p.catch(() => papers.delete(key));
    papers.set(key, p);
  }
  return p;
}

const healths = new Map<string, Promise<Partial<Health> | null>>();

/**
 * `GET /health`, once per page: what the server offers (`feedback`), or null when it cannot be
 * read (unreachable, or a server that does not send this origin CORS headers on it).
 */
export function fetchHealth(base: string): Promise<Partial<Health> | null> {
  let p = healths.get(base);
  if (!p) {
    p = fetch(`${base}/health`, { credentials: 'omit', headers: { Accept: 'application/json' } })
      .then((r) => r.json())
      .then((body: unknown) => (isObject(body) ? (body as Partial<Health>) : null))
      .catch(() => null);
    healths.set(base, p);
  }
  return p;
}

/** `POST /api/feedback`; resolves when the server took it (201), rejects with a ChatError. */
export async function sendFeedback(base: string, body: FeedbackRequest): Promise<void> {
  await call(base, '/api/feedback', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** `GET /api/papers/:id/cite?format=`: one paper's reference as text (CSL-JSON: an array of one item). */
export async function fetchCite(base: string, id: string, format: CiteFormat): Promise<string> {
  return (await call(base, `/api/papers/${encodeURIComponent(id)}/cite?format=${format}`)).text();
}
