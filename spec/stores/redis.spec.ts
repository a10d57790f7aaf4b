import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import Redis from 'ioredis';
import {
  RedisTokenStore,
  type RedisClient,
  type RedisTokenStoreEvent,
  type RedisTokenStoreOptions,
} from '../../lib/stores/redis';
import { KeyedLock } from '../../lib/lock';
import { TokenManager } from '../../lib/token-manager';
import type { AccessToken } from '../../lib/types';
import { createClient, type RedisClientType } from 'redis';
import {
  silentRedis,
  cleanUp,
  closedPort,
  connect,
  describeWithRedis,
  dump,
  REDIS_URL,
  slowRedis,
  uniquePrefix,
} from '../support/redis';
import { ManualClock } from '../support/clock';

const KEY = 'axios-client-credentials:test-key';
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const token = (accessToken: string, lifetimeMs = 60_000): AccessToken =>
  Object.freeze({ accessToken, tokenType: 'Bearer', issuedAt: Date.now(), expiresAt: Date.now() + lifetimeMs });

describe('RedisTokenStore options', () => {
  const client = new Redis({ lazyConnect: true });

  it.each([
    ['an empty object', {}],
    ['a lookalike with get/set/del/eval only', { get() {}, set() {}, del() {}, eval() {} }],
  ])('refuses a client it cannot drive: %s', (_name, value) => {
    expect(() => new RedisTokenStore(value as Redis)).toThrow(
      new TypeError('"client" must be an ioredis client (Redis or Cluster) or a node-redis v4/v5 client'),
    );
  });

  it('refuses an encryption key that is not 32 bytes, without showing it', () => {
    const short = randomBytes(16).toString('base64');
    let error: Error | undefined;
    try {
      new RedisTokenStore(client, { encryptionKey: short });
    } catch (e) {
      error = e as Error;
    }
    expect(error).toEqual(new TypeError('"encryptionKey" option must be 32 bytes, as a Buffer or a base64 string'));
    expect(error?.message).not.toContain(short);
    expect(() => new RedisTokenStore(client, { encryptionKey: 'not base64 at all!' })).toThrow(TypeError);
  });

  it('accepts a 32-byte key as a Buffer or a base64 string', () => {
    const key = randomBytes(32);
    expect(() => new RedisTokenStore(client, { encryptionKey: key })).not.toThrow();
    expect(() => new RedisTokenStore(client, { encryptionKey: key.toString('base64') })).not.toThrow();
  });

  it('refuses unknown options, so a typo never turns encryption off', () => {
    const options = { encryptionkey: 'x' } as RedisTokenStoreOptions;
    expect(() => new RedisTokenStore(client, options)).toThrow(
      new TypeError('"encryptionkey" is not a RedisTokenStore option'),
    );
  });

  it.each([
    ['operationTimeoutMs', { operationTimeoutMs: 0 }],
    ['localCacheMs', { localCacheMs: -1 }],
    ['keyPrefix', { keyPrefix: 1 }],
    ['onError', { onError: 'log' }],
  ])('names %s when it is invalid', (name, options) => {
    expect(() => new RedisTokenStore(client, options as RedisTokenStoreOptions)).toThrow(`"${name}" option`);
  });

  it('refuses a clock that cannot run its timers', () => {
    const clock = { now: Date.now, monotonic: () => performance.now() };
    expect(() => new RedisTokenStore(client, { clock } as RedisTokenStoreOptions)).toThrow(
      new TypeError('"clock" option must be a clock'),
    );
  });

  it('shows no secret in util.inspect or JSON.stringify', async () => {
    const encryptionKey = randomBytes(32).toString('base64');
    const store = new RedisTokenStore(client, { keyPrefix: 'billing:', encryptionKey, localCacheMs: 60_000 });
    await store.set(KEY, token('secret-access-token'), 0);
    for (const shown of [inspect(store, { showHidden: true, depth: 10 }), JSON.stringify(store)]) {
      expect(shown).not.toContain('secret-access-token');
      expect(shown).not.toContain(encryptionKey);
      expect(shown).toContain('billing:');
    }
    expect(JSON.parse(JSON.stringify(store))).toEqual({ keyPrefix: 'billing:', encrypted: true });
  });
});

describeWithRedis('RedisTokenStore against Redis', () => {
  let redis: Redis;
  let prefix: string;
  const clients: Redis[] = [];
  const make = (options: RedisTokenStoreOptions = {}, client: RedisClient = redis) =>
    new RedisTokenStore(client, { keyPrefix: prefix, ...options });
  /** Where a store in the clear keeps `key` (`{key}` is the Cluster hash tag), and its lock. */
  const at = (key = KEY) => `${prefix}{${key}}:p`;
  const lockAt = (key = KEY) => `${at(key)}:lock`;
  /** The one value key under the prefix (for a sealed store, whose key id the spec does not know). */
  const onlyValueKey = async () => [...(await dump(redis, prefix)).keys()].filter((k) => !k.endsWith(':writer'));

  beforeAll(async () => {
    redis = connect();
    expect(await redis.ping()).toBe('PONG');
  });

  beforeEach(() => {
    prefix = uniquePrefix('store');
  });

  afterEach(async () => {
    await cleanUp(redis, prefix);
    for (const client of clients.splice(0)) client.disconnect();
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('shares a token with another process and answers it synchronously afterwards', async () => {
    const writer = make();
    const reader = make();
    const written = token('shared-1');
    await writer.set(KEY, written, 60_000);
    expect(writer.get(KEY)).toBe(written);
    const first = reader.get(KEY);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual(written);
    expect(reader.get(KEY)).toEqual(written);
  });

  it('makes no Redis round trip while the local copy is fresh, and reads Redis once it is not', async () => {
    const store = make({ localCacheMs: 200 });
    await make().set(KEY, token('t'), 60_000);
    const gets = jest.spyOn(redis, 'get');
    try {
      await Promise.all(Array.from({ length: 10 }, () => store.get(KEY)));
      expect(gets).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 100; i += 1) expect(store.get(KEY)).not.toBeInstanceOf(Promise);
      expect(gets).toHaveBeenCalledTimes(1);
      await tick(250);
      expect(await store.get(KEY)).toMatchObject({ accessToken: 't' });
      expect(gets).toHaveBeenCalledTimes(2);
    } finally {
      gets.mockRestore();
    }
  });

  it('keeps its local copy for localCacheMs of monotonic time, however the wall clock steps', async () => {
    const clock = new ManualClock();
    const store = make({ localCacheMs: 1_000, clock } as RedisTokenStoreOptions);
    await store.set(KEY, token('local'), 60_000);
    await make().set(KEY, token('newer'), 60_000);
    clock.stepWall(3_600_000); // ahead: the copy must not lapse early
    expect(store.get(KEY)).toMatchObject({ accessToken: 'local' });
    clock.stepWall(-7_200_000); // back: it must not live longer either
    clock.advance(999);
    expect(store.get(KEY)).toMatchObject({ accessToken: 'local' });
    clock.advance(1);
    const read = store.get(KEY);
    expect(read).toBeInstanceOf(Promise);
    expect(await read).toMatchObject({ accessToken: 'newer' });
  });

  it('keeps the same object for an unchanged token across refreshes', async () => {
    const store = make({ localCacheMs: 0 });
    await make().set(KEY, token('same'), 60_000);
    const first = await store.get(KEY);
    expect(await store.get(KEY)).toBe(first);
  });

  it('sets the Redis TTL to the time the token has left, with a format version', async () => {
    await make().set(KEY, token('ttl'), 10_000);
    const ttl = await redis.pttl(at());
    expect(ttl).toBeGreaterThan(8_000);
    expect(ttl).toBeLessThanOrEqual(10_000);
    expect(await redis.get(at())).toMatch(/^v1:[A-Za-z0-9_-]{22}:p:\{/);
  });

  it('escapes a key that is empty or starts with } or ~, so its names keep one Cluster hash tag', async () => {
    for (const key of ['', '}x', '~y']) await make().set(key, token(`t-${key}`), 60_000);
    expect([...(await dump(redis, prefix)).keys()].filter((k) => k.endsWith(':p')).sort()).toEqual(
      [`${prefix}{~}:p`, `${prefix}{~}x}:p`, `${prefix}{~~y}:p`].sort(),
    );
  });

  it('writes nothing to Redis for a token with no time left', async () => {
    await make().set(KEY, token('expired'), 0);
    expect([...(await dump(redis, prefix)).keys()]).toEqual([]);
  });

  it('never evicts a newer token another process wrote, and drops its own stale copy', async () => {
    const podA = make({ localCacheMs: 60_000 });
    const podB = make();
    await podA.set(KEY, token('t1'), 60_000);
    await podB.set(KEY, token('t2'), 60_000);
    expect(podA.get(KEY)).toMatchObject({ accessToken: 't1' }); // its local copy
    expect(await podA.delete(KEY, 't1')).toBe(false);
    expect(await podA.get(KEY)).toMatchObject({ accessToken: 't2' });
    expect(await redis.exists(at())).toBe(1);
  });

  describe('encryption', () => {
    const encryptionKey = randomBytes(32);

    it('stores no plaintext token and reads it back with the same key', async () => {
      const accessToken = `eyJ-secret-${randomBytes(8).toString('hex')}`;
      await make({ encryptionKey }).set(KEY, { ...token(accessToken), scope: 'invoices:read' }, 60_000);
      const [valueKey] = await onlyValueKey();
      expect(valueKey).toMatch(
        new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\{${KEY}\\}:k[A-Za-z0-9_-]{16}$`),
      );
      const raw = (await redis.get(valueKey!))!;
      expect(raw).toMatch(/^v1:[A-Za-z0-9_-]{22}:s:[A-Za-z0-9_-]+$/);
      expect(raw).not.toContain(accessToken);
      expect(raw).not.toContain('invoices');
      expect(Buffer.from(raw.split(':')[3]!, 'base64url').toString('latin1')).not.toContain(accessToken);
      expect(await make({ encryptionKey: encryptionKey.toString('base64') }).get(KEY)).toMatchObject({
        accessToken,
        scope: 'invoices:read',
      });
    });

    it('compare-and-deletes a sealed token', async () => {
      await make({ encryptionKey }).set(KEY, token('sealed'), 60_000);
      expect(await make({ encryptionKey }).delete(KEY, 'other')).toBe(false);
      expect(await make({ encryptionKey }).delete(KEY, 'sealed')).toBe(true);
    });

    it.each([
      ['another key', { encryptionKey: randomBytes(32) }],
      ['no key', {}],
    ])(
      'keeps apart from a process with %s on the same prefix: no churn, and one event that says the keys differ',
      async (_name, options) => {
        const events: RedisTokenStoreEvent[] = [];
        const [ours, theirs] = [make({ encryptionKey }), make({ ...options, onError: (e) => events.push(e) })];
        await ours.set(KEY, token('ours'), 60_000);
        expect(await theirs.get(KEY)).toBeUndefined();
        await theirs.set(KEY, token('theirs'), 60_000);
        await theirs.set(KEY, token('theirs-again'), 60_000);
        // Each group still reads its own token: neither replaced the other's.
        expect(await make({ encryptionKey }).get(KEY)).toMatchObject({ accessToken: 'ours' });
        expect(await make(options).get(KEY)).toMatchObject({ accessToken: 'theirs-again' });
        expect(events).toEqual([
          {
            type: 'store_error',
            operation: 'set',
            reason: 'key_mismatch',
            error: {
              name: 'EncryptionKeyMismatchError',
              message:
                'another process on this key prefix uses a different "encryptionKey" (or none); the two do not share tokens',
            },
          },
        ]);
        expect(JSON.stringify(events)).not.toContain(encryptionKey.toString('base64'));
      },
    );

    it('says nothing about keys when every process uses the same one', async () => {
      const events: RedisTokenStoreEvent[] = [];
      await make({ encryptionKey }).set(KEY, token('a'), 60_000);
      await make({ encryptionKey, onError: (e) => events.push(e) }).set(KEY, token('b'), 60_000);
      expect(events).toEqual([]);
    });

    it('treats a sealed value that fails to open as absent, and says so', async () => {
      await make({ encryptionKey }).set(KEY, token('sealed'), 60_000);
      const [valueKey] = await onlyValueKey();
      const raw = (await redis.get(valueKey!))!;
      await redis.set(valueKey!, raw.slice(0, -4) + (raw.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
      const events: RedisTokenStoreEvent[] = [];
      expect(await make({ encryptionKey, onError: (e) => events.push(e) }).get(KEY)).toBeUndefined();
      expect(events).toEqual([
        {
          type: 'store_error',
          operation: 'get',
          reason: 'unreadable',
          error: { name: 'UnreadableValueError', message: 'stored value could not be read; treated as absent' },
        },
      ]);
    });

    it('treats a value in the clear as absent when a key is set', async () => {
      await make().set(KEY, token('clear'), 60_000);
      expect(await make({ encryptionKey }).get(KEY)).toBeUndefined();
    });

    it('refuses a sealed value copied under another key', async () => {
      await make({ encryptionKey }).set(KEY, token('sealed'), 60_000);
      const [valueKey] = await onlyValueKey();
      await redis.set(valueKey!.replace(`{${KEY}}`, `{${KEY}-copy}`), (await redis.get(valueKey!))!);
      expect(await make({ encryptionKey }).get(`${KEY}-copy`)).toBeUndefined();
    });
  });

  it.each([
    ['corrupt value', 'not a token at all'],
    ['value of another format version', `v2:${'A'.repeat(22)}:p:{}`],
    ['truncated value', `v1:${'A'.repeat(22)}:p:{"accessToken":`],
    [
      'value whose fingerprint is of another token',
      `v1:${'A'.repeat(22)}:p:${JSON.stringify({ accessToken: 'x', tokenType: 'Bearer', expiresAt: 1, issuedAt: 0 })}`,
    ],
  ])('treats a %s as absent', async (_name, value) => {
    await redis.set(at(), value);
    expect(await make().get(KEY)).toBeUndefined();
  });

  describe('lock', () => {
    it('makes the reads that follow see what other processes wrote', async () => {
      const store = make({ localCacheMs: 60_000 });
      await store.set(KEY, token('old'), 60_000);
      await make().set(KEY, token('renewed'), 60_000);
      expect(store.get(KEY)).toMatchObject({ accessToken: 'old' });
      const lease = await store.lock(KEY, 5_000);
      expect(await store.get(KEY)).toMatchObject({ accessToken: 'renewed' });
      expect(store.get(KEY)).toMatchObject({ accessToken: 'renewed' }); // trusted again, synchronously
      await lease!.release();
    });
  });

  describe('with TokenManager', () => {
    function member(store: RedisTokenStore, exchange: () => Promise<AccessToken>) {
      return new TokenManager({
        key: KEY,
        store,
        lock: new KeyedLock(),
        exchange,
        refreshBeforeExpiryMs: 0,
        storeLock: { leaseMs: 300, waitMs: 10_000, pollIntervalMs: 1_000 },
      });
    }
    const counting = () => {
      let count = 0;
      const exchange = async () => {
        count += 1;
        await tick(50);
        return token(`t${count}`);
      };
      return { exchange, count: () => count };
    };

    it('makes one exchange for processes with their own stores on one Redis', async () => {
      const { exchange, count } = counting();
      const members = Array.from({ length: 4 }, () => member(make(), exchange));
      const tokens = await Promise.all(members.flatMap((m) => Array.from({ length: 25 }, () => m.acquire())));
      expect(count()).toBe(1);
      expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['t1']));
      expect(await redis.exists(lockAt())).toBe(0);
    });

    it('takes over the lock of a holder that died once it expires, with one exchange', async () => {
      expect(await make().lock(KEY, 300)).toBeDefined(); // never released nor extended
      const { exchange, count } = counting();
      expect((await member(make(), exchange).acquire()).accessToken).toBe('t1');
      expect(count()).toBe(1);
    });
  });

  describe('a slow Redis', () => {
    it('waits for a lock answer slower than operationTimeoutMs, within lockTimeoutMs, without an event', async () => {
      const proxy = await slowRedis(300);
      const client = new Redis({ host: '127.0.0.1', port: proxy.port, maxRetriesPerRequest: 1 });
      client.on('error', () => {});
      try {
        await client.ping();
        const events: RedisTokenStoreEvent[] = [];
        const store = make({ operationTimeoutMs: 100, onError: (e) => events.push(e) }, client);
        const lease = await store.lock(KEY, 5_000);
        expect(lease).toBeDefined();
        expect(await make().lock(KEY, 5_000)).toBeUndefined();
        await lease!.release();
        expect(events).toEqual([]);
      } finally {
        client.disconnect();
        await proxy.close();
      }
    });
    it("keeps a lock call's slow path for the read and write after it when an earlier read answers late", async () => {
      const proxy = await slowRedis(300);
      const client = new Redis({ host: '127.0.0.1', port: proxy.port, maxRetriesPerRequest: 1 });
      client.on('error', () => {});
      try {
        await client.ping();
        await make().set(KEY, token('fleet'), 60_000);
        const holder = (await make().lock(KEY, 5_000))!;
        const events: RedisTokenStoreEvent[] = [];
        const store = make({ operationTimeoutMs: 100, lockTimeoutMs: 2_000, onError: (e) => events.push(e) }, client);
        expect(await store.lock(KEY, 5_000)).toBeUndefined(); // a waiter now
        const earlier = store.get(KEY); // the waiter's read, answered after the next lock call
        await holder.release();
        const lease = (await store.lock(KEY, 5_000))!;
        expect(await earlier).toMatchObject({ accessToken: 'fleet' });
        expect(await store.get(KEY)).toMatchObject({ accessToken: 'fleet' });
        await store.set(KEY, token('own'), 60_000);
        await lease.release();
        expect(events).toEqual([]);
      } finally {
        client.disconnect();
        await proxy.close();
      }
    });
  });

  describe('with a node-redis client', () => {
    let nodeRedis: RedisClientType;
    beforeAll(async () => {
      nodeRedis = createClient({ url: REDIS_URL });
      nodeRedis.on('error', () => {});
      await nodeRedis.connect();
    });
    afterAll(() => nodeRedis.destroy());
    const nodeStore = () => make({}, nodeRedis as unknown as RedisClient);

    it('shares tokens with an ioredis store on the same prefix', async () => {
      await nodeStore().set(KEY, { ...token('from-node-redis'), scope: 'a' }, 60_000);
      expect(await make().get(KEY)).toMatchObject({ accessToken: 'from-node-redis', scope: 'a' });
      await make().set(KEY, token('from-ioredis'), 60_000);
      expect(await nodeStore().get(KEY)).toMatchObject({ accessToken: 'from-ioredis' });
      expect(await nodeStore().delete(KEY, 'from-ioredis')).toBe(true);
      expect(await redis.exists(at())).toBe(0);
    });

    it('fails open at once, saying why, when the client is closed', async () => {
      const closed = createClient({ url: REDIS_URL });
      const events: RedisTokenStoreEvent[] = [];
      const store = make({ onError: (e) => events.push(e) }, closed as unknown as RedisClient);
      await expect(store.lock(KEY, 5_000)).rejects.toThrow('redis "lock" failed: client is disconnected');
      expect(events).toEqual([
        {
          type: 'store_error',
          operation: 'lock',
          reason: 'error',
          error: { name: 'ConnectionError', message: 'client is disconnected' },
        },
      ]);
    });
  });

  describe('fail open', () => {
    async function deadClient(): Promise<Redis> {
      const client = new Redis({
        host: '127.0.0.1',
        port: await closedPort(),
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => 1_000,
      });
      client.on('error', () => {});
      clients.push(client);
      return client;
    }

    it('with Redis unreachable, reads nothing, keeps writes locally and refuses the lock, saying why', async () => {
      const events: RedisTokenStoreEvent[] = [];
      const store = make({ onError: (e) => events.push(e) }, await deadClient());
      expect(await store.get(KEY)).toBeUndefined();
      await expect(store.set(KEY, token('local-only'), 60_000)).resolves.toBeUndefined();
      expect(store.get(KEY)).toMatchObject({ accessToken: 'local-only' });
      await expect(store.lock(KEY, 5_000)).rejects.toThrow('redis "lock" failed');
      expect(await store.delete(KEY, 'local-only')).toBe(true);
      expect(events.map((e) => `${e.operation} ${e.reason}`)).toEqual([
        'get error',
        'set error',
        'lock error',
        'delete error',
      ]);
      expect(JSON.stringify(events)).not.toContain('local-only');
      expect(Object.keys(events[0]!.error)).toEqual(['name', 'message']);
    });

    it('answers a slow Redis after operationTimeoutMs without it', async () => {
      const { client, close } = await silentRedis();
      try {
        const events: RedisTokenStoreEvent[] = [];
        const store = make({ operationTimeoutMs: 100, lockTimeoutMs: 250, onError: (e) => events.push(e) }, client);
        expect(await store.get(KEY)).toBeUndefined();
        await expect(store.lock(KEY, 5_000)).rejects.toThrow('no answer within 250 ms');
        await store.set(KEY, token('slow'), 60_000);
        expect(store.get(KEY)).toMatchObject({ accessToken: 'slow' });
        const timeout = { name: 'TimeoutError', message: 'no answer within 100 ms' };
        const slowPath = { name: 'TimeoutError', message: 'no answer within 250 ms' };
        expect(events).toEqual([
          { type: 'store_error', operation: 'get', reason: 'timeout', error: timeout },
          { type: 'store_error', operation: 'lock', reason: 'timeout', error: slowPath },
          // A write that follows a lock call is on the lock's slow path too.
          { type: 'store_error', operation: 'set', reason: 'timeout', error: slowPath },
        ]);
      } finally {
        await close();
      }
    });

    it('keeps answering from the local copy when Redis goes away, and spares it until the next refresh', async () => {
      const client = connect();
      const events: RedisTokenStoreEvent[] = [];
      const store = make({ localCacheMs: 50, onError: (e) => events.push(e) }, client);
      await store.set(KEY, token('kept'), 60_000);
      await client.quit();
      await tick(80);
      expect(await store.get(KEY)).toMatchObject({ accessToken: 'kept' });
      expect(store.get(KEY)).toMatchObject({ accessToken: 'kept' }); // synchronous again until the next refresh
      expect(events.map((e) => `${e.operation} ${e.reason}`)).toEqual(['get error']);
    });

    it('survives a listener that throws', async () => {
      const store = make(
        {
          onError: () => {
            throw new Error('listener bug');
          },
        },
        await deadClient(),
      );
      expect(await store.get(KEY)).toBeUndefined();
    });
  });
  describe('on its injected clock', () => {
    let clock: ManualClock;
    let outcome: string;
    const track = (pending: Promise<unknown>) => {
      outcome = 'pending';
      void pending.then((value) => (outcome = value === undefined ? 'settled' : `settled with ${String(value)}`));
    };
    /** Lets Redis' answers and the callbacks they start run: event-loop turns, no timer. */
    const flush = async () => {
      for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
    };
    /** The waiter's one look at the lease, once Redis has answered it. */
    const leaseLook = async (pttl: { mock: { calls: unknown[]; results: Array<{ value: unknown }> } }) => {
      for (let i = 0; i < 100 && pttl.mock.calls.length === 0; i += 1) await redis.ping();
      expect(pttl.mock.calls).toHaveLength(1);
      const answered = await (pttl.mock.results[0]!.value as Promise<number>);
      await flush();
      return answered;
    };
    const subscribers = async () => {
      const [, count] = (await redis.pubsub('NUMSUB', `${lockAt()}:wake`)) as [string, number];
      return count;
    };

    beforeEach(() => {
      clock = new ManualClock();
    });

    it('gives up on a Redis that never answers once operationTimeoutMs passes on the clock', async () => {
      const { client, close } = await silentRedis();
      try {
        const events: RedisTokenStoreEvent[] = [];
        const store = make(
          { operationTimeoutMs: 60_000, clock, onError: (e) => events.push(e) } as RedisTokenStoreOptions,
          client,
        );
        track(store.get(KEY) as Promise<AccessToken | undefined>);
        clock.advance(59_999);
        await flush();
        expect(outcome).toBe('pending');
        clock.advance(1);
        await flush();
        expect(outcome).toBe('settled');
        expect(events).toEqual([
          {
            type: 'store_error',
            operation: 'get',
            reason: 'timeout',
            error: { name: 'TimeoutError', message: 'no answer within 60000 ms' },
          },
        ]);
      } finally {
        await close();
      }
    });

    it('wakes a waiter after its timeoutMs on the clock while a live lease is held', async () => {
      const lease = await make().lock(KEY, 60_000);
      const pttl = jest.spyOn(redis, 'pttl');
      try {
        const events: RedisTokenStoreEvent[] = [];
        const store = make({ lockTimeoutMs: 120_000, clock, onError: (e) => events.push(e) } as RedisTokenStoreOptions);
        track(store.waitForUnlock(KEY, 30_000));
        expect(await leaseLook(pttl)).toBeGreaterThan(30_000);
        clock.advance(29_999);
        await flush();
        expect(outcome).toBe('pending');
        clock.advance(1);
        await flush();
        expect(outcome).toBe('settled');
        expect(events).toEqual([]);
        clock.advance(250); // closes the subscriber
      } finally {
        pttl.mockRestore();
        await lease!.release();
      }
    });

    it('wakes a waiter when the lease lapses on the clock, before its timeoutMs', async () => {
      const lease = await make().lock(KEY, 1_000);
      const pttl = jest.spyOn(redis, 'pttl');
      const random = jest.spyOn(Math, 'random').mockReturnValue(0); // no jitter
      try {
        const store = make({ lockTimeoutMs: 120_000, clock } as RedisTokenStoreOptions);
        track(store.waitForUnlock(KEY, 30_000));
        const lapsesInMs = await leaseLook(pttl);
        expect(lapsesInMs).toBeGreaterThan(0);
        clock.advance(lapsesInMs - 1);
        await flush();
        expect(outcome).toBe('pending');
        clock.advance(1);
        await flush();
        expect(outcome).toBe('settled');
        clock.advance(250); // closes the subscriber
      } finally {
        random.mockRestore();
        pttl.mockRestore();
        await lease!.release();
      }
    });

    it('closes its subscriber connection 250 ms on the clock after the last waiter woke', async () => {
      const lease = await make().lock(KEY, 60_000);
      const pttl = jest.spyOn(redis, 'pttl');
      try {
        const store = make({ lockTimeoutMs: 120_000, clock } as RedisTokenStoreOptions);
        track(store.waitForUnlock(KEY, 1_000));
        await leaseLook(pttl);
        clock.advance(1_000);
        await flush();
        expect(outcome).toBe('settled');
        clock.advance(249);
        await flush();
        expect(await subscribers()).toBe(1);
        clock.advance(1);
        let count = await subscribers();
        for (let i = 0; i < 100 && count !== 0; i += 1) count = await subscribers();
        expect(count).toBe(0);
      } finally {
        pttl.mockRestore();
        await lease!.release();
      }
    });
  });
});
