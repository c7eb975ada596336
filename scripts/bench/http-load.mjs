/** Load over HTTP: autocannon searches, and streamed chats timed to their first delta. */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { percentile, round } from './common.mjs';

/** autocannon POST /api/search, the questions in turn. */
export async function searchLoad(url, bodies, connections, seconds) {
  let next = 0;
  // autocannon's histogram keeps whole milliseconds; its response event gives the exact duration.
  const latencies = [];
  const result = await new Promise((resolveRun, reject) => {
    const instance = autocannon(
      {
        url: `${url}/api/search`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections,
        duration: seconds,
        requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
      },
      (e, r) => (e ? reject(e) : resolveRun(r)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const ok = result.requests.total - result.non2xx - result.errors - result.timeouts;
  if (!ok) throw new Error(`no successful search in ${seconds} s (${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts)`);
  return {
    connections,
    seconds,
    requests: result.requests.total,
    reqPerSec: round(result.requests.average, 1),
    p50: round(percentile(latencies, 50), 2),
    p99: round(percentile(latencies, 99), 2),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** One streamed chat: time to the first delta event and to the end of the stream. */
async function streamedChat(url, question) {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ messages: [{ role: 'user', content: question }], stream: true }),
  });
  if (!res.ok || !res.body) throw new Error(`POST /api/chat answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const decoder = new TextDecoder();
  let text = '';
  let firstDelta = null;
  for await (const chunk of res.body) {
    text += decoder.decode(chunk, { stream: true });
    if (firstDelta === null && /(^|\n)event: ?delta\r?\n/.test(text)) firstDelta = performance.now() - t0;
  }
  const totalMs = performance.now() - t0;
  const done = /(?:^|\n)event: ?done\r?\ndata: ?(.*)\r?\n/.exec(text);
  const error = /(?:^|\n)event: ?error\r?\ndata: ?(.*)\r?\n/.exec(text);
  if (!done) throw new Error(`the stream ended without a done event${error ? `: ${error[1].slice(0, 200)}` : ''}`);
  return { firstDelta, totalMs, abstained: JSON.parse(done[1]).abstained === true };
}

/** The questions asked one after the other, streamed: time to the first delta, all and answered only. */
export async function chatLoad(url, questions) {
  const ttfd = [];
  const answeredTtfd = [];
  const totals = [];
  let abstained = 0;
  for (const q of questions) {
    const r = await streamedChat(url, q);
    if (r.firstDelta !== null) {
      ttfd.push(r.firstDelta);
      if (!r.abstained) answeredTtfd.push(r.firstDelta);
    }
    totals.push(r.totalMs);
    if (r.abstained) abstained++;
  }
  return {
    chats: questions.length,
    withDelta: ttfd.length,
    abstained,
    ttfdP50: round(percentile(ttfd, 50)),
    ttfdP95: round(percentile(ttfd, 95)),
    // Abstentions are answered sooner (no sentence selection): the answered chats alone.
    answeredTtfdP50: round(percentile(answeredTtfd, 50)),
    answeredTtfdP95: round(percentile(answeredTtfd, 95)),
    totalP50: round(percentile(totals, 50)),
  };
}
