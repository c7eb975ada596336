import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionGuardOptions {
  /** Open connections one client address may hold; 0: no cap per address. */
  perAddress: number;
  /** Open connections in all. */
  total: number;
  /** Told, at most every 10 s, how many connections were closed to make room. */
  log?: (msg: string) => void;
}

interface Tracked {
  socket: Socket;
  address: string;
  /** The request on this connection, from its headers to the end of its response. */
  request: IncomingMessage | null;
  /** When the connection last became reclaimable (opened, or its last response ended). */
  since: number;
}

/**
 * A connection that is not being answered: its client has not finished sending a request (headers
 * or body: the half-sent requests of a slow-client attack), or it idles between keep-alive
 * requests. Closing it loses nothing the server was working on.
 */
const reclaimable = (t: Tracked) => !t.request || !t.request.complete;

/** The reclaimable connection that has waited longest, or null. */
function oldestReclaimable(set: Iterable<Tracked>): Tracked | null {
  let oldest: Tracked | null = null;
  for (const t of set) if (reclaimable(t) && (!oldest || t.since < oldest.since)) oldest = t;
  return oldest;
}

const REFUSAL_BODY = JSON.stringify({ error: { code: 'busy', message: 'The server has too many open connections from your address. Try again in a few seconds.' } });
/** What a new connection is told when every connection it would replace is being answered. */
const REFUSAL =
  `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 5\r\nConnection: close\r\n` +
  `Content-Length: ${Buffer.byteLength(REFUSAL_BODY)}\r\n\r\n${REFUSAL_BODY}`;

/**
 * Fair shares of the server's connections. Each client address may hold `perAddress` open
 * connections and the server `total`; a connection past either cap takes the place of the oldest
 * reclaimable one (of that address, or of the address holding the most), so half-sent requests are
 * reaped as soon as they stand in anyone's way, long before their headers or body time out. A
 * connection that finds only connections being answered ahead of it is told 503 and closed.
 * Connections that are answering (a search, a streaming chat) are never closed.
 *
 * Replaces the kernel-level refusal of `server.maxConnections`, which refuses everyone once one
 * client holds them all.
 *
 * @example
 * guardConnections(server, { perAddress: 256, total: 2048 })
 */
export function guardConnections(server: Server, options: ConnectionGuardOptions): { open(): number } {
  const bySocket = new Map<Socket, Tracked>();
  const byAddress = new Map<string, Set<Tracked>>();
  let reaped = 0;
  let refused = 0;
  let lastReport = 0;
  const report = () => {
    const now = Date.now();
    if (!options.log || now - lastReport < 10_000 || !(reaped + refused)) return;
    options.log(`connections: closed ${reaped} half-sent or idle connection(s) to make room, refused ${refused} (caps: ${options.perAddress || 'none'} per address, ${options.total} in all)`);
    lastReport = now;
    reaped = refused = 0;
  };
  const forget = (t: Tracked) => {
    if (!bySocket.delete(t.socket)) return;
    const set = byAddress.get(t.address);
    set?.delete(t);
    if (set && !set.size) byAddress.delete(t.address);
  };
  /** Makes room for `incoming` by closing `victim`; without one, `incoming` itself is refused. */
  const makeRoom = (victim: Tracked | null, incoming: Tracked) => {
    if (victim && victim !== incoming) {
      forget(victim);
      victim.socket.destroy();
      reaped++;
    } else {
      forget(incoming);
      incoming.socket.end(REFUSAL);
      incoming.socket.destroySoon();
      refused++;
    }
    report();
  };

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const t: Tracked = { socket, address, request: null, since: performance.now() };
    bySocket.set(socket, t);
    const mine = byAddress.get(address) ?? new Set<Tracked>();
    byAddress.set(address, mine.add(t));
    socket.once('close', () => forget(t));
    if (options.perAddress && mine.size > options.perAddress) makeRoom(oldestReclaimable(mine), t);
    else if (bySocket.size > options.total) {
      let largest = mine;
      for (const set of byAddress.values()) if (set.size > largest.size) largest = set;
      makeRoom(oldestReclaimable(largest) ?? oldestReclaimable(bySocket.values()), t);
    }
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const t = bySocket.get(req.socket);
    if (!t) return;
    t.request = req;
    res.once('close', () => {
      if (t.request !== req) return;
      t.request = null;
      t.since = performance.now();
    });
  });
  return { open: () => bySocket.size };
}
