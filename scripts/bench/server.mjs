/** The Node server under measurement: started as `npm start` starts it, timed to ready, stopped. */
import { performance } from 'node:perf_hooks';
import { sleep } from './common.mjs';
import { freePort, rssMb, spawnTracked, START_ARGS, stopChild, tail } from './processes.mjs';

/**
 * Starts the server (`npm start`'s command) on a free loopback port. Resolves once it printed
 * "serving on", with the spawn-to-/health-200 and spawn-to-ready times and its RSS.
 */
export async function startServer(env, { timeoutMs = 30 * 60_000 } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawnTracked(process.execPath, START_ARGS, { env: { ...env, HOST: '127.0.0.1', PORT: String(port) } });
  const out = tail();
  const err = tail();
  let readyAt = null;
  let exited = null;
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    out.push(chunk);
    if (readyAt === null && /serving on /.test(out.text)) readyAt = performance.now();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => err.push(chunk));
  child.once('exit', (code, signal) => {
    exited = code ?? signal;
  });
  const stop = () => stopChild(child);
  try {
    // Ready: the "serving on" line printed and /health answered 200, or answered something else
    // after that line (a degraded index: 503 saying why), which is reported rather than waited on.
    let healthAt = null;
    let firstAnswerAt = null;
    let health = null;
    let healthStatus = null;
    for (;;) {
      if (exited !== null) throw new Error(`the server exited (${exited}) before it was ready: ${err.text.trim().split('\n').slice(-5).join(' | ')}`);
      if (performance.now() - t0 > timeoutMs) throw new Error(`the server was not ready within ${Math.round(timeoutMs / 1000)} s`);
      if (healthAt === null) {
        const askedAfterReady = readyAt !== null;
        try {
          const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
          const body = await res.text();
          firstAnswerAt ??= performance.now();
          healthStatus = res.status;
          try {
            health = JSON.parse(body);
          } catch {
            health = { body: body.slice(0, 300) };
          }
          if (res.status === 200) healthAt = performance.now();
          else if (askedAfterReady) break;
        } catch {
          // not listening yet
        }
      }
      if (healthAt !== null && readyAt !== null) break;
      await sleep(5);
    }
    return {
      child,
      url,
      pid: child.pid,
      startupMs: healthAt === null ? null : Math.round(healthAt - t0),
      firstAnswerMs: Math.round(firstAnswerAt - t0),
      readyMs: Math.round(readyAt - t0),
      rssMb: rssMb(child.pid),
      healthStatus,
      health,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Starts the server once (warms the file cache, builds nothing: the index is current), stops it, and starts it again: the measured start. */
export async function measuredStart(env) {
  const first = await startServer(env);
  await first.stop();
  return startServer(env);
}
