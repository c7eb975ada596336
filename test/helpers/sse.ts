/**
 * Reads a `text/event-stream` response with a real SSE parser (eventsource-parser), event by
 * event as the bytes arrive, and records when each event arrived.
 */
import type { ChatResult } from '../../src/protocol/chat.js';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { expect } from 'vitest';

export interface SseEvent<T = unknown> {
  /** The `event:` field (`message` when absent). */
  event: string;
  /** The `data:` field, parsed as JSON. */
  data: T;
  /** The raw `data:` text. */
  raw: string;
  /** Milliseconds since the reading started when the event was parsed. */
  at: number;
}

export interface ReadSseOptions {
  /** Called for each event as it arrives; return `'stop'` to stop reading (the body is cancelled). */
  onEvent?: (event: SseEvent) => void | 'stop';
  /** Time origin for `at`; defaults to when reading starts. */
  startedAt?: number;
}

export interface SseResult {
  events: SseEvent[];
  /** True when reading ended because the request was aborted or `onEvent` asked to stop. */
  aborted: boolean;
}

/** Parses the whole SSE body of `res` (until it ends, is aborted, or `onEvent` says stop). */
export async function readSse(res: Response, options: ReadSseOptions = {}): Promise<SseResult> {
  if (!res.body) throw new Error('the response has no body');
  const started = options.startedAt ?? performance.now();
  const events: SseEvent[] = [];
  let stop = false;
  const parseErrors: string[] = [];
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        parseErrors.push(message.data);
        data = undefined;
      }
      const event: SseEvent = { event: message.event ?? 'message', data, raw: message.data, at: performance.now() - started };
      events.push(event);
      if (options.onEvent?.(event) === 'stop') stop = true;
    },
    onError(err) {
      parseErrors.push(String(err));
    },
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let aborted = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (stop) {
        aborted = true;
        await reader.cancel().catch(() => {});
        break;
      }
    }
    parser.feed(decoder.decode());
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
    aborted = true;
  }
  if (parseErrors.length) throw new Error(`SSE events whose data is not JSON: ${parseErrors.join(' | ')}`);
  return { events, aborted };
}

export interface ChatSources {
  sources: { n: number; id: string; title: string; snippet?: string }[];
}
/** The `done` event's data: the wire contract's result. */
export type ChatDone = ChatResult;

/** The chat stream split by event type, for assertions. */
export function chatEvents(events: readonly SseEvent[]) {
  const sources = events.filter((e) => e.event === 'sources').map((e) => e.data as ChatSources);
  const deltas = events.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text);
  const done = events.filter((e) => e.event === 'done').map((e) => e.data as ChatDone);
  const errors = events.filter((e) => e.event === 'error').map((e) => e.data);
  return { sources, deltas, text: deltas.join(''), done, errors, order: events.map((e) => e.event) };
}

/** Asserts the contract's event order: one `sources`, then one or more `delta`, then one `done`, and no `error`. */
export function expectChatStreamOrder(ev: ReturnType<typeof chatEvents>): void {
  expect(ev.errors).toEqual([]);
  expect(ev.order[0]).toBe('sources');
  expect(ev.order[ev.order.length - 1]).toBe('done');
  expect(ev.order.filter((e) => e === 'sources')).toHaveLength(1);
  expect(ev.order.filter((e) => e === 'done')).toHaveLength(1);
  const middle = ev.order.slice(1, -1);
  expect(middle.length).toBeGreaterThan(0);
  expect(middle.every((e) => e === 'delta')).toBe(true);
}
