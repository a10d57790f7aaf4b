// The fleet proof: separate Node processes sharing one Redis behave like one process. Counts only,
// never timings: 2-core machines are slow and noisy.
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { startApiServer, startTokenServer, type LoopbackServer } from '../support/loopback';
import { cleanUp, closedPort, connect, describeWithRedis, dump, REDIS_URL, uniquePrefix } from '../support/redis';
import { startFleet, type BurstResult, type Fleet } from '../support/redis-fleet';

const PROCESSES = 6;
const CALLS = 100;

describeWithRedis('a fleet of processes sharing one RedisTokenStore', () => {
  let redis: Redis;
  let tokens: LoopbackServer & { issued: string[]; tokenUrl: string };
  let api: LoopbackServer;
  const revoked = new Set<string>();
  const prefix = uniquePrefix('fleet');
  let fleet: Fleet | undefined;

  beforeAll(async () => {
    redis = connect();
    expect(await redis.ping()).toBe('PONG');
    // Answers late, so every process's cold burst is in flight before the token exists.
    tokens = await startTokenServer({ delayMs: 300 });
    api = await startApiServer((token) => tokens.issued.includes(token) && !revoked.has(token));
  });

  afterEach(async () => {
    if (fleet) expect(await fleet.close()).toEqual(Array(PROCESSES).fill(0));
    fleet = undefined;
  });

  afterAll(async () => {
    await cleanUp(redis, prefix);
    await redis.quit();
    await tokens.close();
    await api.close();
  });

  const env = (extra: Record<string, string>) => ({
    TOKEN_URL: tokens.tokenUrl,
    API_URL: api.origin,
    CALLS: String(CALLS),
    KEY_PREFIX: prefix,
    // Generous, so a loaded CI machine does not fail open here: that path has its own test below.
    OPERATION_TIMEOUT_MS: '3000',
    ...extra,
  });
  const total = (results: BurstResult[], field: 'ok' | 'failed') => results.reduce((sum, r) => sum + r[field], 0);

  it(`makes one token exchange for ${PROCESSES} processes × ${CALLS} concurrent calls, renews once after a revocation, and keeps no readable token in Redis`, async () => {
    const encryptionKey = randomBytes(32).toString('base64');
    fleet = await startFleet(PROCESSES, env({ REDIS_URL, ENCRYPTION_KEY: encryptionKey }));

    const cold = await fleet.burst();
    expect({ ok: total(cold, 'ok'), failures: cold.map((r) => r.firstFailure).filter(Boolean) }).toEqual({
      ok: PROCESSES * CALLS,
      failures: [],
    });
    expect(tokens.issued).toEqual(['token-1']);
    expect(cold.map((r) => r.tokens)).toEqual(Array(PROCESSES).fill(['token-1']));

    // The token, and the record of which encryption key wrote it (its one-way id, no secret).
    const stored = await dump(redis, prefix);
    const writer = [...stored.keys()].filter((key) => key.endsWith(':writer'));
    expect(writer).toHaveLength(1);
    stored.delete(writer[0]!);
    expect([...stored.keys()]).toHaveLength(1);
    for (const value of stored.values()) {
      expect(value).toMatch(/^v1:[A-Za-z0-9_-]{22}:s:/);
      expect(value).not.toContain('token-1');
    }

    // The API stops accepting the first token: every process's calls meet a 401.
    revoked.add('token-1');
    const revocation = await fleet.burst();
    expect({ ok: total(revocation, 'ok'), failed: total(revocation, 'failed') }).toEqual({
      ok: PROCESSES * CALLS,
      failed: 0,
    });
    expect(tokens.issued).toEqual(['token-1', 'token-2']);
    expect(revocation.map((r) => r.tokens)).toEqual(Array(PROCESSES).fill(['token-2']));
    for (const value of (await dump(redis, prefix)).values()) expect(value).not.toContain('token-2');
    expect(cold.concat(revocation).flatMap((r) => r.events)).toEqual([]);
  });

  it('answers every call with Redis unreachable: one exchange per process, and events that say why', async () => {
    const before = tokens.issued.length;
    fleet = await startFleet(
      PROCESSES,
      env({
        REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
        REDIS_UNREACHABLE: '1',
        OPERATION_TIMEOUT_MS: '300',
      }),
    );
    const results = await fleet.burst();
    expect({ ok: total(results, 'ok'), failed: total(results, 'failed') }).toEqual({
      ok: PROCESSES * CALLS,
      failed: 0,
    });
    // The in-process single flight still holds; only the fleet-wide one is lost.
    expect(tokens.issued.length - before).toBe(PROCESSES);
    for (const result of results) {
      const reasons = new Set(result.events.map((e) => `${e.operation} ${e.reason}`));
      expect(reasons).toEqual(new Set(['get error', 'lock error', 'set error']));
      expect(JSON.stringify(result.events)).not.toMatch(/token-\d/);
    }
  });
});
