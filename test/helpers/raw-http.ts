/** Raw HTTP over a TCP socket, for what fetch will not send (a partial request, an odd Host). */
import net from 'node:net';

export interface RawExchange {
  /** Everything the server sent. */
  text: string;
  /** Milliseconds from connecting to the server closing the connection (null when it was still open at `waitMs`). */
  closedAfterMs: number | null;
}

/** The port of a `http://host:port` URL. */
export const portOf = (url: string) => Number(new URL(url).port);

/**
 * Connects, writes `request` (all of it, at once), and collects what the server sends until it
 * closes the connection or `waitMs` passes.
 */
export function rawExchange(port: number, request: string, waitMs = 3000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedAfterMs: null });
    }, waitMs);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: performance.now() - t0 });
    });
    socket.write(request);
  });
}

/** Opens a connection that sends the start of a request and nothing more (a slow client). */
export function halfSent(port: number, partial = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(partial);
      resolve(socket);
    });
    socket.on('error', (e) => (socket.connecting ? reject(e) : undefined));
  });
}

/** The status codes of the responses in a raw exchange, in order. */
export const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
