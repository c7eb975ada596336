import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../../src/server/middleware/concurrency-limit.js';

/** An app whose handler waits until the test lets it finish; `streamed` answers with a body that ends when released. */
function gatedApp(max: number, queue: number) {
  const gates: (() => void)[] = [];
  let entered = 0;
  const app = new Hono();
  app.use('/x', concurrencyLimit({ max, queue, retryAfterSeconds: 7 }));
  app.get('/x', async (c) => {
    entered++;
    if (c.req.query('streamed')) {
      let release!: () => void;
      const done = new Promise<void>((r) => (release = r));
      gates.push(release);
      const body = new ReadableStream({
        async start(ctrl) {
          ctrl.enqueue(new TextEncoder().encode('part '));
          await done;
          ctrl.enqueue(new TextEncoder().encode('end'));
          ctrl.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }
    await new Promise<void>((r) => gates.push(r));
    return c.text('ok');
  });
  return { app, gates, entered: () => entered };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('concurrencyLimit', () => {
  it('runs max at once, queues the next, refuses beyond the queue with 503 and Retry-After', async () => {
    const { app, gates, entered } = gatedApp(2, 1);
    const a = app.request('/x');
    const b = app.request('/x');
    const queued = app.request('/x');
    await tick();
    expect(entered()).toBe(2);
    const refused = await app.request('/x');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('busy');
    gates.shift()!(); // a finishes: the queued one starts
    expect(await (await a).text()).toBe('ok');
    await tick();
    expect(entered()).toBe(3);
    gates.splice(0).forEach((g) => g());
    expect((await b).status).toBe(200);
    expect((await queued).status).toBe(200);
  });

  it('holds a slot until a streamed (SSE) body has been read to its end', async () => {
    const { app, gates, entered } = gatedApp(1, 0);
    const first = await app.request('/x?streamed=1');
    expect(first.status).toBe(200);
    // The handler returned, but its body is still streaming: the slot is taken.
    expect((await app.request('/x')).status).toBe(503);
    const text = first.text();
    gates.shift()!();
    expect(await text).toBe('part end');
    await tick();
    const next = app.request('/x');
    await tick();
    expect(entered()).toBe(2);
    gates.shift()!();
    expect((await next).status).toBe(200);
  });

  it('frees the slot when the client abandons a stream, and at once for HEAD requests', async () => {
    const { app, entered } = gatedApp(1, 0);
    const first = await app.request('/x?streamed=1');
    await first.body!.cancel();
    await tick();
    const next = app.request('/x');
    await tick();
    expect(entered()).toBe(2);
    void next;
  });

  it('never keeps a slot for a HEAD request, whose body nobody reads', async () => {
    const { app, gates } = gatedApp(1, 0);
    const head = app.request('/x?streamed=1', { method: 'HEAD' });
    await tick();
    gates.shift()?.();
    await head;
    await tick();
    const next = app.request('/x');
    await tick();
    gates.shift()!();
    expect((await next).status).toBe(200);
  });

  it('queues only as deep as the measured hold time allows (maxWaitMs), refusing the rest at once', async () => {
    const app = new Hono();
    app.use('/x', concurrencyLimit({ max: 1, queue: 10, maxWaitMs: 150 }));
    app.get('/x', async (c) => {
      await new Promise((r) => setTimeout(r, 100));
      return c.text('ok');
    });
    expect((await app.request('/x')).status).toBe(200); // a slot is held about 100 ms
    const first = app.request('/x');
    const second = app.request('/x'); // waits about 100 ms: queued
    await tick();
    const third = await app.request('/x'); // would wait about 200 ms: refused
    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: { message: string } }).error.message).toMatch(/would wait about/);
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });
});
