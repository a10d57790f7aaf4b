// Helpers for the specs that need a real Redis at REDIS_URL (default redis://127.0.0.1:6379).
//
// Outside CI a missing Redis skips those specs with a printed reason, so a newcomer's `npm test`
// passes without one. Under CI=true they run anyway and fail: CI promises a Redis (.ci/run starts
// one), and a skipped proof is no proof.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Asks Redis for PONG from a child process, so the answer is known before the specs are declared. */
function probe(): string | undefined {
  const script = `
    const Redis = require('ioredis');
    const c = new Redis(process.argv[1], { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1500 });
    c.on('error', () => {});
    c.connect().then(() => c.ping()).then(
      (r) => { process.stdout.write(String(r)); c.disconnect(); },
      (e) => { process.stdout.write('ERR ' + e.message); c.disconnect(); },
    );`;
  const result = spawnSync(process.execPath, ['-e', script, REDIS_URL], { encoding: 'utf8', timeout: 5_000 });
  const out = (result.stdout ?? '').trim();
  return out === 'PONG' ? undefined : out || `no answer (${result.error?.message ?? `exit ${result.status}`})`;
}

const problem = probe();
const skip = problem !== undefined && process.env['CI'] !== 'true';
if (skip) {
  console.warn(
    `Redis specs skipped: no Redis at ${REDIS_URL} (${problem}). Start one with: ` +
      'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  );
}

/** `describe` when Redis answers (or under CI=true, where a missing Redis must fail), else `describe.skip`. */
export const describeWithRedis: jest.Describe = skip ? describe.skip : describe;

/** A key prefix no other run or spec file shares. */
export function uniquePrefix(label: string): string {
  return `acc-test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** A client for the spec itself: fails fast instead of queueing when Redis is gone. */
export function connect(): Redis {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  return client;
}

/** Every key under `prefix` with its value (SCAN, never KEYS). */
export async function dump(client: Redis, prefix: string): Promise<Map<string, string | null>> {
  const found = new Map<string, string | null>();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) found.set(key, await client.get(key));
  } while (cursor !== '0');
  return found;
}

/** Deletes every key under `prefix`: the spec's own keys only, never FLUSHALL. */
export async function cleanUp(client: Redis, prefix: string): Promise<void> {
  const keys = [...(await dump(client, prefix)).keys()];
  if (keys.length > 0) await client.del(...keys);
}

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never answers: a Redis that hangs. */
export async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
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

/** An ioredis client connected to a {@link blackHole}: every command waits forever. */
export async function silentRedis(): Promise<{ client: Redis; close(): Promise<void> }> {
  const hole = await blackHole();
  const client = new Redis({ host: '127.0.0.1', port: hole.port, enableReadyCheck: false, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  return {
    client,
    close: async () => {
      client.disconnect();
      await hole.close();
    },
  };
}

export { slowRedis } from './slow-redis';
