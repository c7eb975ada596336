import { getRequestListener } from '@hono/node-server';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestId, requestLine } from '../server/middleware/request-log.js';
import { guardConnections } from './connection-guard.js';

/** Socket limits of the Node server (one place). */
export const DEFAULT_SOCKET_LIMITS = {
  /** A client must send its request headers within this long (slow-header attacks). Defaults to 15 s (HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: 15_000,
  /** ... and its whole request, body included, within this long. Responses (streams) are not bounded by it. Defaults to 60 s (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: 60_000,
  /**
   * How often Node checks those two: a client is dropped at most this long after its deadline
   * (Node's own default, 30 s, let headers take 45 s and bodies 90 s). Defaults to 1 s.
   */
  checkIntervalMs: 1_000,
  /** An idle keep-alive connection is closed after this long. Defaults to 5 s. */
  keepAliveTimeoutMs: 5_000,
  /** Open connections at most, all clients together. Defaults to 2,048. */
  maxConnections: 2_048,
  /** Open connections one client address may hold (see connection-guard.ts); 0: no cap. Defaults to 256 (MAX_CONNECTIONS_PER_CLIENT). */
  maxConnectionsPerAddress: 256,
  /**
   * The rest of a request body the app did not read (a 404, 405 or 413 answered before it) is read
   * and dropped, up to this many bytes, so the connection can carry the client's next request. A
   * longer body is answered with `Connection: close` instead. Defaults to 16 MiB.
   */
  drainMaxBytes: 16 * 2 ** 20,
};
export type SocketLimits = typeof DEFAULT_SOCKET_LIMITS;

export interface HttpServerOptions {
  limits?: Partial<SocketLimits>;
  /** Request-log lines for the requests the app never sees (a bad Host, a malformed request); none when unset. */
  requestLog?: (line: string) => void;
  /** Operator messages (connections closed to make room). */
  log?: (msg: string) => void;
}

type Fetch = Parameters<typeof getRequestListener>[0];

/** The Host of a request as the app will see it: lower-cased (the adapter refuses "LOCALHOST:8787"), or null when it is no host name. */
function normalHost(host: string | undefined): string | null {
  if (!host) return null;
  const lower = host.toLowerCase();
  try {
    const url = new URL(`http://${lower}/`);
    return url.host === lower || url.host === lower.replace(/:80$/, '') ? lower : null;
  } catch {
    return null;
  }
}

const jsonError = (code: string, message: string) => JSON.stringify({ error: { code, message } });

/**
 * After the response, reads and drops what is left of a body the app did not read, so the next
 * request on this keep-alive connection is parsed (and answered) at once. A web stream made over
 * the body (Hono's body limit, a request's signal) that stopped reading would pause it again: its
 * listener goes first. Past `maxBytes` the connection is closed.
 */
function drainUnreadBody(req: IncomingMessage, maxBytes: number) {
  if (req.complete || req.destroyed) return;
  req.removeAllListeners('data');
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > maxBytes) req.socket.destroy();
  });
  req.resume();
}

/** Node's answer to a request it could not parse or that timed out, as the app would word it. */
function clientErrorResponse(err: NodeJS.ErrnoException): { status: number; text: string; body: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, text: 'Request Timeout', body: jsonError('request_timeout', 'The request was not sent in time. Send the whole request at once and try again.') };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, text: 'Request Header Fields Too Large', body: jsonError('headers_too_large', 'The request headers are too large.') };
    default:
      return { status: 400, text: 'Bad Request', body: jsonError('bad_request', 'The request is not valid HTTP.') };
  }
}

/**
 * The Node HTTP server for a Hono app's `fetch`: the socket limits enforced (headers and body
 * timeouts checked every second, fair connection shares per address), every request answered in
 * the app's JSON error format and logged, the adapter's own refusals included, and unread bodies
 * drained so that keep-alive clients never lose their next request.
 *
 * @example
 * createHttpServer(app.fetch, { requestLog: (line) => console.error(`request ${line}`) }).listen(8787)
 */
export function createHttpServer(fetch: Fetch, options: HttpServerOptions = {}): Server {
  const limits = { ...DEFAULT_SOCKET_LIMITS, ...options.limits };
  const listener = getRequestListener(fetch, { autoCleanupIncoming: false });
  const logLine = (req: IncomingMessage | null, status: number, t0: number) =>
    options.requestLog?.(
      requestLine({
        id: requestId(req?.headers['x-request-id'] as string | undefined),
        method: req?.method ?? '-',
        path: req?.url?.split('?')[0] ?? '-',
        status,
        ms: Math.round(performance.now() - t0),
      }),
    );

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (req, res) => {
      const t0 = performance.now();
      const host = normalHost(req.headers.host);
      if (!host) {
        const body = jsonError('bad_host', 'The request has no valid Host header. Send the host name and port you connected to.');
        res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        res.once('finish', () => drainUnreadBody(req, limits.drainMaxBytes));
        logLine(req, 400, t0);
        return;
      }
      req.headers.host = host;
      // A body too long to drain: the answer says the connection ends with it.
      if (Number(req.headers['content-length'] ?? 0) > limits.drainMaxBytes) res.shouldKeepAlive = false;
      res.once('finish', () => drainUnreadBody(req, limits.drainMaxBytes));
      void listener(req, res);
    },
  );
  // Node checks the caps itself only by refusing past `maxConnections`; the guard shares them out.
  guardConnections(server, { perAddress: limits.maxConnectionsPerAddress, total: limits.maxConnections, ...(options.log ? { log: options.log } : {}) });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const quiet = err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable;
    if (!quiet && !(socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      const { status, text, body } = clientErrorResponse(err);
      socket.write(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      logLine(null, status, performance.now());
    }
    socket.destroy(err);
  });
  return server;
}
