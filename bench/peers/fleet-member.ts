/**
 * One process of the peer benchmark's fleet scenario, started by fleet.ts as
 * `node --import tsx bench/peers/fleet-member.ts <contender id>`.
 *
 * Wires the contender against TOKEN_URL and API_URL (this library with a RedisTokenStore at
 * REDIS_URL under KEY_PREFIX; the peers have no shared store and keep their own caches), prints
 * {"type":"ready"}, waits for a "go" line on stdin, fires CALLS concurrent calls, prints
 * {"type":"done","ok":…,"failed":…} and exits.
 */
import { createInterface } from 'node:readline';
import axios from 'axios';
import Redis from 'ioredis';
import type { TokenStore } from '../../lib';
import { contenders } from './contenders';

const env = process.env;

function print(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const contender = contenders.find((candidate) => candidate.id === process.argv[2]);
  if (contender === undefined) throw new Error(`unknown contender "${process.argv[2]}"`);
  let redis: Redis | undefined;
  let store: TokenStore | undefined;
  if (contender.id === 'ours') {
    // Loaded only here: the Redis store is an optional subpath (axios-client-credentials/redis).
    const { RedisTokenStore } = await import('../../lib/stores/redis');
    redis = new Redis(env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    store = new RedisTokenStore(redis, { keyPrefix: env['KEY_PREFIX'] ?? '' });
  }
  const instance = contender.create({
    tokenUrl: env['TOKEN_URL']!,
    clientId: 'bench-client',
    clientSecret: 'bench-secret',
    tokenClient: axios.create(),
    apiDefaults: { baseURL: env['API_URL']!, timeout: 20_000 },
    ...(store === undefined ? {} : { store }),
  });
  print({ type: 'ready' });

  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
  const calls = Number(env['CALLS'] ?? 100);
  const outcomes = await Promise.allSettled(Array.from({ length: calls }, () => instance.get('/fleet')));
  const ok = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  print({ type: 'done', ok, failed: calls - ok });
  await redis?.quit();
}

main().then(
  // A peer's cache may hold a timer for the token's lifetime (@scienta/axios-oauth2 does).
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
