/**
 * Issue 12's table, measured in one run: the fleet under the cases it meets every week. Real Node
 * processes (spec/fixtures/fleet-member.ts), the Redis at REDIS_URL, loopback token endpoints that
 * count their requests. Figures, not tests. Run by `npm run bench:fleet` (bench/fleet.ts).
 *
 * 1. 4 processes, token endpoint 3 s, the lock holder SIGKILLed 0.5 s into its exchange: time from
 *    the kill to the survivors' tokens, and exchanges (target: within 6 s, at most 2).
 * 2. 16 processes × 3 keys × 100 cold calls, token endpoint 200 ms, Redis busy (every answer 400 ms
 *    late, over a 300 ms operation timeout): exchanges (target: exactly 3), failed calls by error
 *    code, and the store events. BUSY_PROCESSES=n runs it with n processes (on a loaded machine).
 * 3. Waiting for a holder whose exchange takes 3 s: Redis commands per waiter (MONITOR).
 * 4. 8 processes, 5-second tokens, 20 s of traffic: exchanges per token lifetime (target ≤ 1.25),
 *    failed calls, slowest call.
 * 5. Two processes with node-redis clients on one prefix, 100 cold calls each: exchanges (target 1).
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { startApiServer, type LoopbackServer } from '../spec/support/loopback';
import { slowRedis } from '../spec/support/slow-redis';
import { startCountingTokenServer, startFleet } from '../spec/support/redis-fleet';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const runPrefix = `acc-bench:${randomBytes(4).toString('hex')}:`;
let api: LoopbackServer;

const env = (tokenUrl: string, label: string, extra: Record<string, string> = {}) => ({
  TOKEN_URL: tokenUrl,
  API_URL: api.origin,
  REDIS_URL,
  KEY_PREFIX: `${runPrefix}${label}:`,
  OPERATION_TIMEOUT_MS: '300',
  ...extra,
});

async function killedHolder(): Promise<string> {
  const tokens = await startCountingTokenServer({ delayMs: 3_000 });
  const fleet = await startFleet(4, env(tokens.tokenUrl, 'crash', { CALLS: '100' }));
  try {
    const holder = tokens.nextAsker();
    const results = fleet.burstEach();
    for (const result of results) result.catch(() => undefined);
    const victim = await holder;
    await new Promise((resolve) => setTimeout(resolve, 500));
    fleet.kill(victim);
    const killedAt = performance.now();
    const survivors = await Promise.all(
      fleet.pids.filter((pid) => pid !== victim).map((pid) => results[fleet.pids.indexOf(pid)]!),
    );
    const afterKill = (performance.now() - killedAt) / 1000;
    const failed = survivors.reduce((sum, r) => sum + r.failed, 0);
    return `survivors' token ${afterKill.toFixed(1)} s after the kill; ${tokens.askedBy.length} exchanges; ${failed} failed calls`;
  } finally {
    await fleet.close();
    await tokens.close();
  }
}

/** Distinct strings with how often each occurs, most frequent first: "3× a; 1× b". */
function tally(items: string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([item, n]) => `${n}× ${item}`)
    .join('; ');
}

async function busyRedis(): Promise<string> {
  const tokens = await startCountingTokenServer({ delayMs: 200 });
  const busy = await slowRedis(400);
  const processes = Number(process.env['BUSY_PROCESSES'] ?? 16);
  const fleet = await startFleet(
    processes,
    env(tokens.tokenUrl, 'busy', { REDIS_URL: `redis://127.0.0.1:${busy.port}`, KEYS: '3', CALLS: '100' }),
    120_000,
  );
  try {
    const results = await fleet.burst();
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    const codes = results.flatMap((r) =>
      Object.entries(r.failures).flatMap(([code, n]) => Array<string>(n).fill(code)),
    );
    const lockEvents = results.flatMap((r) => r.events).filter((e) => e.operation !== 'get');
    const reasons = lockEvents.map((e) => `${e.operation} ${e.reason}: ${e.error.message}`);
    // The token manager's own bounds, apart from the direct reads the store already gave up on.
    const bounds = results.flatMap((r) => r.storeErrors).filter((e) => e !== 'get: TimeoutError');
    const firstFailure = results.find((r) => r.firstFailure)?.firstFailure;
    const exchangers = tally(tokens.askedBy.map((pid) => `pid ${fleet.pids.indexOf(pid)}`));
    return [
      `${processes} processes: ${tokens.issued.length} exchanges (${exchangers})`,
      `${failed} failed calls of ${results.reduce((sum, r) => sum + r.ok + r.failed, 0)}${codes.length ? ` (${tally(codes)}; first: ${firstFailure})` : ''}`,
      `${lockEvents.length} store lock/write events${reasons.length ? ` (${tally(reasons)})` : ''}`,
      `${bounds.length} store-bound events${bounds.length ? ` (${tally(bounds)})` : ''}`,
    ].join('; ');
  } finally {
    await fleet.close();
    await busy.close();
    await tokens.close();
  }
}

async function wakeups(): Promise<string> {
  const tokens = await startCountingTokenServer({ delayMs: 3_000 });
  const label = 'wake';
  const fleet = await startFleet(4, env(tokens.tokenUrl, label, { CALLS: '10' }));
  const monitor = await new Redis(REDIS_URL).monitor();
  const bySource = new Map<string, number>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua' && args.some((arg) => arg.includes(`${runPrefix}${label}:`))) {
      bySource.set(source, (bySource.get(source) ?? 0) + 1);
    }
  });
  try {
    await fleet.burst();
  } finally {
    monitor.disconnect();
    await fleet.close();
    await tokens.close();
  }
  // The connection with the most commands is the holder's (it also extends the lease).
  const counts = [...bySource.values()].sort((a, b) => b - a);
  const waiters = counts.slice(1);
  const perWaiter = waiters.reduce((sum, n) => sum + n, 0) / Math.max(1, fleet.pids.length - 1);
  return `${perWaiter.toFixed(1)} Redis commands per waiter (holder ${counts[0] ?? 0}) during a 3 s exchange; ${tokens.issued.length} exchange`;
}

async function perLifetime(): Promise<string> {
  const tokens = await startCountingTokenServer({ delayMs: 50, expiresIn: 5 });
  const fleet = await startFleet(8, env(tokens.tokenUrl, 'lifetime'));
  try {
    const results = await fleet.traffic(20_000);
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    const calls = results.reduce((sum, r) => sum + r.ok + r.failed, 0);
    const slowest = Math.max(...results.map((r) => r.slowestMs));
    // The cold exchange starts the first lifetime; every later one is a renewal.
    const renewals = tokens.issued.length - 1;
    return `${(renewals / (20 / 5)).toFixed(2)} exchanges per lifetime (${tokens.issued.length} in 20 s); ${calls} calls, ${failed} failed, slowest ${slowest.toFixed(0)} ms`;
  } finally {
    await fleet.close();
    await tokens.close();
  }
}

async function nodeRedis(): Promise<string> {
  const tokens = await startCountingTokenServer({ delayMs: 200 });
  const fleet = await startFleet(2, env(tokens.tokenUrl, 'node-redis', { REDIS_CLIENT: 'node-redis', CALLS: '100' }));
  try {
    const results = await fleet.burst();
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    return `${tokens.issued.length} exchange(s); ${failed} failed calls`;
  } finally {
    await fleet.close();
    await tokens.close();
  }
}

/** Measures and prints each row; bench/fleet.ts runs it after its own table when a Redis answers. */
export async function printFleetTable(): Promise<void> {
  console.log('');
  console.log(`fleet coordination (the lease, woken waiters, renewal timing), Redis ${REDIS_URL}:`);
  api = await startApiServer((token) => token.startsWith('token-'));
  const client = new Redis(REDIS_URL);
  try {
    const only = process.env['FLEET_ROWS'];
    const all: Array<[string, () => Promise<string>]> = [
      ['holder killed mid-exchange (4 processes, endpoint 3 s)', killedHolder],
      ['busy Redis (16 processes × 3 keys × 100 calls)', busyRedis],
      ['waiting for a holder', wakeups],
      ['5-second tokens, 8 processes, 20 s', perLifetime],
      ['node-redis, two processes on one prefix', nodeRedis],
    ];
    const rows = only === undefined ? all : all.filter(([name]) => name.includes(only));
    for (const [name, run] of rows) console.log(`  ${name}: ${await run()}`);
  } finally {
    for await (const keys of client.scanStream({ match: `${runPrefix}*` })) {
      if ((keys as string[]).length > 0) await client.del(...(keys as string[]));
    }
    await client.quit();
    await api.close();
  }
}

if (require.main === module) {
  printFleetTable().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
