/**
 * Fair connection shares (a plain Node server, small caps): a connection past its address's cap
 * takes the place of the oldest half-sent one; connections being answered are never closed, and a
 * newcomer that finds only those is told 503.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { guardConnections } from '../../src/node/connection-guard.js';
import { halfSent, rawExchange, statuses } from '../helpers/raw-http.js';

let server: http.Server;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A server whose `/hold` requests are never answered (being worked on), and `/ok` at once. */
async function listen(perAddress: number, total = 100): Promise<number> {
  server = http.createServer((req, res) => {
    if (req.url !== '/hold') res.end('ok');
  });
  guardConnections(server, { perAddress, total });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}
const closed = (s: Socket) => s.destroyed || s.readyState === 'closed';
const tick = () => new Promise((r) => setTimeout(r, 100));

describe('guardConnections', () => {
  it('closes the oldest half-sent connection of an address to let its next one in', async () => {
    const port = await listen(4);
    for (let i = 0; i < 4; i++) {
      sockets.push(await halfSent(port));
      await tick();
    }
    const { text } = await rawExchange(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(statuses(text)).toEqual([200]);
    await tick();
    expect(sockets.map(closed)).toEqual([true, false, false, false]);
  });

  it('never closes connections being answered; a newcomer that finds only those gets 503', async () => {
    const port = await listen(3);
    for (let i = 0; i < 3; i++) sockets.push(await halfSent(port, 'GET /hold HTTP/1.1\r\nHost: x\r\n\r\n'));
    await tick();
    const { text } = await rawExchange(port, 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statuses(text)).toEqual([503]);
    expect(text).toMatch(/"code":"busy"/);
    expect(sockets.some(closed)).toBe(false);
  });

  it('shares the total among addresses: past it, the address holding the most gives one up', async () => {
    const port = await listen(0, 3);
    for (let i = 0; i < 3; i++) sockets.push(await halfSent(port));
    await tick();
    expect(statuses((await rawExchange(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).text)).toEqual([200]);
    await tick();
    expect(sockets.filter(closed)).toHaveLength(1);
  });
});
