/**
 * P processes × N concurrent calls on a cold start: how many token exchanges the fleet makes, and
 * how long the burst takes, with each process on its own MemoryTokenStore and with all of them on
 * one RedisTokenStore.
 *
 * Every process is a real Node process (spec/fixtures/fleet-member.ts) with its own axios instance;
 * the token endpoint (answering after 50 ms) and the API are node:http servers on loopback, and
 * Redis is the one at REDIS_URL (default redis://127.0.0.1:6379). Process start-up is not timed:
 * the burst starts when every process has said it is ready. The cold burst is followed by a warm
 * one. A figure, not a test: it exits 0 whatever it counts.
 *
 * Then, with a Redis, bench/fleet-table.ts: the fleet under a killed holder, a busy Redis, waiting,
 * short-lived tokens and node-redis clients, each row's figure in the same run.
 *
 * Run: npm run bench:fleet [-- P N]   (default 6 processes × 100 calls)
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { startApiServer, startTokenServer } from '../spec/support/loopback';
import { startFleet, type BurstResult } from '../spec/support/redis-fleet';
import { printFleetTable } from './fleet-table';
import { redisAnswers } from './peers/fleet';

const PROCESSES = Number(process.argv[2] ?? 6);
const CALLS = Number(process.argv[3] ?? 100);
const TOKEN_ENDPOINT_DELAY_MS = 50;
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

interface Row {
  store: string;
  burst: string;
  exchanges: number;
  ok: number;
  failed: number;
  wallMs: number;
  slowestProcessMs: number;
}

async function measure(store: 'memory' | 'redis', keyPrefix: string): Promise<Row[]> {
  const tokens = await startTokenServer({ delayMs: TOKEN_ENDPOINT_DELAY_MS });
  const api = await startApiServer((token) => tokens.issued.includes(token));
  const fleet = await startFleet(PROCESSES, {
    FLEET_STORE: store,
    REDIS_URL,
    KEY_PREFIX: keyPrefix,
    TOKEN_URL: tokens.tokenUrl,
    API_URL: api.origin,
    CALLS: String(CALLS),
  });
  const rows: Row[] = [];
  try {
    for (const burst of ['cold', 'warm']) {
      const before = tokens.issued.length;
      const start = process.hrtime.bigint();
      const results: BurstResult[] = await fleet.burst();
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      rows.push({
        store,
        burst,
        exchanges: tokens.issued.length - before,
        ok: results.reduce((sum, r) => sum + r.ok, 0),
        failed: results.reduce((sum, r) => sum + r.failed, 0),
        wallMs,
        slowestProcessMs: Math.max(...results.map((r) => r.elapsedMs)),
      });
    }
  } finally {
    await fleet.close();
    await tokens.close();
    await api.close();
  }
  return rows;
}

async function main(): Promise<void> {
  console.log(`axios-client-credentials: ${PROCESSES} processes × ${CALLS} concurrent calls`);
  console.log(
    `node ${process.version}; token endpoint and API: node:http on 127.0.0.1, token answers after ${TOKEN_ENDPOINT_DELAY_MS} ms; Redis: ${REDIS_URL}`,
  );
  const rows = await measure('memory', '');
  const withRedis = await redisAnswers(REDIS_URL);
  if (withRedis) {
    const keyPrefix = `acc-bench:${randomBytes(4).toString('hex')}:`;
    try {
      rows.push(...(await measure('redis', keyPrefix)));
    } finally {
      const client = new Redis(REDIS_URL);
      // The bench's own keys only (SCAN, never KEYS or FLUSHALL).
      for await (const keys of client.scanStream({ match: `${keyPrefix}*` })) {
        if ((keys as string[]).length > 0) await client.del(...(keys as string[]));
      }
      await client.quit();
    }
  } else {
    console.log(`  (no Redis answers at ${REDIS_URL}: RedisTokenStore rows skipped)`);
  }
  console.log('');
  const header = ['store', 'burst', 'exchanges', 'ok', 'failed', 'wall ms', 'slowest process ms'];
  console.log(`  ${header.map((h, i) => (i < 2 ? h.padEnd(8) : h.padStart(i === 6 ? 18 : 9))).join('  ')}`);
  for (const row of rows) {
    const cells = [
      row.store,
      row.burst,
      row.exchanges,
      row.ok,
      row.failed,
      row.wallMs.toFixed(0),
      row.slowestProcessMs.toFixed(0),
    ];
    console.log(
      `  ${cells.map((c, i) => (i < 2 ? String(c).padEnd(8) : String(c).padStart(i === 6 ? 18 : 9))).join('  ')}`,
    );
  }
  if (withRedis) await printFleetTable();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
