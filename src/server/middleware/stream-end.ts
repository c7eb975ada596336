/** How a streamed response body ended: sent to its end, cancelled (the client went away), or failed. */
export type StreamOutcome = 'sent' | 'cancelled' | 'failed';

/** True for a response whose body is still being produced after the handler returned (SSE). */
export const isEventStream = (res: Response, method: string) =>
  Boolean(res.body) && method !== 'HEAD' && /\btext\/event-stream\b/.test(res.headers.get('content-type') ?? '');

/**
 * The same response, its body passed through unchanged, calling `onEnd` once when the body has
 * been read to its end, was cancelled by the reader (the adapter does so when the client goes
 * away), or failed.
 *
 * @example
 * c.res = watchStream(c.res, (outcome) => release(outcome))
 */
export function watchStream(res: Response, onEnd: (outcome: StreamOutcome) => void): Response {
  const reader = res.body!.getReader();
  let ended = false;
  const end = (outcome: StreamOutcome) => {
    if (ended) return;
    ended = true;
    onEnd(outcome);
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        end('failed');
        throw e;
      }
      if (chunk.done) {
        end('sent');
        ctrl.close();
      } else ctrl.enqueue(chunk.value);
    },
    cancel(reason) {
      end('cancelled');
      return reader.cancel(reason);
    },
  });
  return new Response(body, res);
}
