import type { Server } from 'node:http';

/** Time given to the `error` events of answers ended at the deadline to reach their clients. */
const FLUSH_MS = 250;
/** After the answers in flight, how long other connections (half-sent requests, 503s being written) may take to close. */
const CLOSE_MS = 500;

export interface Drain {
  /** True once a shutdown has begun: the app answers new requests 503 with `Connection: close`. */
  draining(): boolean;
  /** Aborts when the grace period is over: answers still streaming end with an `error` event. */
  stop: AbortSignal;
  /**
   * Stops gracefully: new requests get 503 (the port stays open, so a client is told rather than
   * refused); answers in flight may finish within `graceMs`; the port is closed when they have, or
   * at `graceMs`; those still streaming then end with an `error` event.
   */
  shutdown(graceMs: number): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * The graceful shutdown of a Node HTTP server. It counts the requests that arrived before the
 * shutdown began (an answer "in flight" lasts until its response closes: an SSE stream until its
 * last event), so the ones answered 503 meanwhile do not hold it open.
 *
 * @example
 * const drain = drainable(server, log); app = createApp({ ..., lifecycle: drain }); await drain.shutdown(10_000)
 */
export function drainable(server: Server, log: (msg: string) => void): Drain {
  let draining = false;
  let inFlight = 0;
  let settled: (() => void) | null = null;
  const stop = new AbortController();
  server.on('request', (_req, res) => {
    if (draining) return;
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) settled?.();
    });
  });
  let done: Promise<void> | null = null;
  const shutdown = async (graceMs: number) => {
    draining = true;
    // Idle keep-alive connections go now and as they become idle; busy ones when their answer ends.
    server.closeIdleConnections();
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const answered = inFlight === 0 ? Promise.resolve('answered' as const) : new Promise<'answered'>((r) => (settled = () => r('answered')));
    const outcome = await Promise.race([answered, sleep(graceMs).then(() => 'grace' as const)]);
    // The port is free from here on.
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    if (outcome === 'grace') {
      log(`shutdown: answers still running after ${graceMs} ms are ended with an error event`);
      stop.abort();
      await sleep(FLUSH_MS);
    } else await Promise.race([closed, sleep(CLOSE_MS)]);
    server.closeAllConnections();
    await closed;
    clearInterval(idle);
  };
  return {
    draining: () => draining,
    stop: stop.signal,
    shutdown: (graceMs) => (done ??= shutdown(graceMs)),
  };
}

export interface Stoppable {
  shutdown(): Promise<void>;
  config: { SHUTDOWN_GRACE_MS: number };
}

/**
 * Stops the process on SIGINT and SIGTERM, from the moment it is called (so before the port
 * opens): a signal before the server listens exits at once, there being nothing to finish; once
 * `serving(server)` was called, it drains the server first (and a signal during the start-up
 * warm-up does too). A second signal exits at once.
 *
 * @example
 * const signals = stopOnSignals(log); const server = await startServer(env, log, { onListening: signals.serving });
 */
export function stopOnSignals(log: (msg: string) => void, exit: (code: number) => void = (code) => process.exit(code)) {
  let server: Stoppable | null = null;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: stopping now`);
      return exit(1);
    }
    stopping = true;
    if (!server) {
      log(`${signal} during start-up: stopping (nothing was being answered)`);
      return exit(0);
    }
    log(`${signal}: finishing the answers in flight (up to ${server.config.SHUTDOWN_GRACE_MS} ms), then stopping`);
    server.shutdown().then(
      () => exit(0),
      (e: Error) => {
        log(`shutdown failed: ${e.message}`);
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    serving: (s: Stoppable) => {
      server = s;
    },
    stopping: () => stopping,
  };
}
