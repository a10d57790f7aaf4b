// A Redis that is slow but up, for specs and bench/fleet-table.ts (no jest globals here).
import { connect as connectTcp, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * A TCP proxy in front of Redis that holds every answer for `delayMs`: a busy Redis, slow but up.
 * Requests pass at once; only what Redis sends back waits (in order).
 */
export async function slowRedis(delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    const upstream = connectTcp(Number(target.port || 6379), target.hostname);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        socket.destroy();
        upstream.destroy();
      });
    }
    socket.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      setTimeout(() => socket.write(chunk), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
