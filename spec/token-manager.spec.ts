import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { clockFrom, ManualClock } from './support/clock';
import { CACHE_HIT_CHANNEL } from '../lib/channels';
import type { ClientCredentialsEvent } from '../lib/events';
import { KeyedLock } from '../lib/lock';
import { MemoryTokenStore } from '../lib/stores/memory';
import { cacheKey, type CacheKeyParts } from '../lib/cache-key';
import { renewalWindowMs } from '../lib/refresh';
import { Telemetry } from '../lib/telemetry';
import { TokenManager, type TokenManagerOptions } from '../lib/token-manager';
import type { AccessToken, TokenStore } from '../lib/types';

const parts: CacheKeyParts = {
  tokenUrl: 'https://auth.example.com/token',
  clientId: 'svc',
  clientAuthMethod: 'client_secret_basic',
  credential: 'secret:AAAAAAAAAAAAAAAAAAAAAA',
  scopes: ['b', 'a'],
  resources: [],
  audience: undefined,
  extraParams: { y: '2', x: '1' },
};

describe('cacheKey()', () => {
  it('ignores the order and duplicates of scopes and resources and the order of extra params', () => {
    expect(cacheKey(parts)).toBe(cacheKey({ ...parts, scopes: ['a', 'b', 'a'], extraParams: { x: '1', y: '2' } }));
    expect(cacheKey({ ...parts, resources: ['r2', 'r1'] })).toBe(cacheKey({ ...parts, resources: ['r1', 'r2', 'r1'] }));
  });

  it.each([
    ['tokenUrl', { tokenUrl: 'https://other/token' }],
    ['clientId', { clientId: 'other' }],
    ['clientAuthMethod', { clientAuthMethod: 'client_secret_post' }],
    ['scopes', { scopes: ['a'] }],
    ['resources', { resources: ['https://r/'] }],
    ['audience', { audience: 'aud' }],
    ['extraParams', { extraParams: { x: '1' } }],
    ['credential', { credential: 'secret:BBBBBBBBBBBBBBBBBBBBBB' }],
  ])('changes with %s', (_name, change) => {
    expect(cacheKey({ ...parts, ...change })).not.toBe(cacheKey(parts));
  });

  it('is a digest that spells out nothing of the configuration', () => {
    expect(cacheKey(parts)).toMatch(/^axios-client-credentials:[A-Za-z0-9_-]{43}$/);
    expect(cacheKey(parts)).not.toContain('svc');
  });
});

describe('renewalWindowMs()', () => {
  const token = (lifetimeMs: number): AccessToken => ({
    accessToken: 't',
    tokenType: 'Bearer',
    issuedAt: 0,
    expiresAt: lifetimeMs,
  });

  it('is the configured window for long-lived tokens', () => {
    expect(renewalWindowMs(token(3_600_000), 30_000)).toBe(30_000);
  });

  it('is clamped to a sixth of the lifetime for short-lived tokens', () => {
    expect(renewalWindowMs(token(60_000), 60_000)).toBe(10_000);
    expect(renewalWindowMs(token(6_000), 30_000)).toBe(1_000);
  });
});

/** Lets queued promise callbacks and immediates run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

function harness(store: TokenStore = new MemoryTokenStore()) {
  let now = 1_000_000;
  let exchanges = 0;
  const succeed = async (): Promise<AccessToken> => {
    exchanges += 1;
    await new Promise((resolve) => setImmediate(resolve));
    return { accessToken: `t${exchanges}`, tokenType: 'Bearer', issuedAt: now, expiresAt: now + 60_000 };
  };
  let next: () => Promise<AccessToken> = succeed;
  const manager = new TokenManager({
    key: 'k',
    store,
    lock: new KeyedLock(),
    exchange: () => next(),
    refreshBeforeExpiryMs: 10_000,
    clock: clockFrom(() => now),
    random: () => 0,
  });
  return {
    manager,
    store,
    exchanges: () => exchanges,
    advance: (ms: number) => (now += ms),
    succeed: () => {
      next = succeed;
    },
    failWith: (error: Error) => {
      next = async () => {
        exchanges += 1;
        await new Promise((resolve) => setImmediate(resolve));
        throw error;
      };
    },
  };
}

describe('TokenManager', () => {
  it('makes one exchange for a burst and then answers synchronously from the store', async () => {
    const h = harness();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => h.manager.acquire()));
    expect(h.exchanges()).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['t1']));
    const warm = h.manager.acquire();
    expect(warm).not.toBeInstanceOf(Promise);
    expect((warm as AccessToken).accessToken).toBe('t1');
  });

  it('renews once the token enters the renewal window, not before, in the background', async () => {
    const h = harness();
    await h.manager.acquire();
    h.advance(49_999); // 60 s token, 10 s window (no jitter drawn): fresh until 50 s
    expect((h.manager.acquire() as AccessToken).accessToken).toBe('t1');
    expect(h.exchanges()).toBe(1);
    h.advance(1);
    // In the window: still served synchronously while one background exchange renews it.
    expect((h.manager.acquire() as AccessToken).accessToken).toBe('t1');
    expect((h.manager.acquire() as AccessToken).accessToken).toBe('t1');
    await flush();
    expect(h.exchanges()).toBe(2);
    expect((h.manager.acquire() as AccessToken).accessToken).toBe('t2');
    expect(h.exchanges()).toBe(2);
  });

  it('makes a caller wait once the token is past its usable margin', async () => {
    const h = harness();
    await h.manager.acquire();
    h.advance(57_500); // the last quarter of the 10 s window: no longer served
    const pending = h.manager.acquire();
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).accessToken).toBe('t2');
  });

  it('rejects every waiter with the same error, caches nothing, and recovers on the next call', async () => {
    const h = harness();
    const failure = new Error('endpoint down');
    h.failWith(failure);
    const errors = await Promise.all(
      Array.from({ length: 20 }, () => Promise.resolve(h.manager.acquire()).catch((e: unknown) => e)),
    );
    expect(errors).toEqual(Array.from({ length: 20 }, () => failure));
    expect(h.exchanges()).toBe(1);
    expect(h.store.get('k')).toBeUndefined();
    h.succeed();
    expect((await h.manager.acquire()).accessToken).toBe('t2');
    expect(h.exchanges()).toBe(2);
    expect((await h.store.get('k'))?.accessToken).toBe('t2');
  });

  it('compare-and-delete keeps a newer token in place', async () => {
    const h = harness();
    await h.manager.acquire();
    await h.manager.invalidate('some-older-token');
    expect((await h.store.get('k'))?.accessToken).toBe('t1');
    expect((h.manager.acquire() as AccessToken).accessToken).toBe('t1');
    expect(h.exchanges()).toBe(1);
    await h.manager.invalidate('t1');
    expect(h.store.get('k')).toBeUndefined();
    expect((await h.manager.acquire()).accessToken).toBe('t2');
    expect(h.exchanges()).toBe(2);
  });

  it('reuses a token another installation wrote while it queued for the lock', async () => {
    // A store whose reads can be held: installation b reads a miss, then a's exchange ends and
    // writes before b asks the lock, so b must read the store again under the lock.
    const inner = new MemoryTokenStore();
    const heldReads: Array<() => void> = [];
    let holdReads = false;
    const store: TokenStore = {
      get: (key) => {
        const answer = inner.get(key);
        return holdReads ? new Promise((resolve) => heldReads.push(() => resolve(answer))) : answer;
      },
      set: (key, token, ttlMs) => inner.set(key, token, ttlMs),
      delete: (key, accessToken) => inner.delete(key, accessToken),
    };
    const lock = new KeyedLock();
    let exchanges = 0;
    let answer = (): void => {};
    const make = () =>
      new TokenManager({
        key: 'shared',
        store,
        lock,
        refreshBeforeExpiryMs: 0,
        exchange: async () => {
          exchanges += 1;
          // Only the first exchange waits to be answered; a second one (the defect) answers at once.
          if (exchanges === 1) await new Promise<void>((resolve) => (answer = resolve));
          return {
            accessToken: `t${exchanges}`,
            tokenType: 'Bearer',
            issuedAt: Date.now(),
            expiresAt: Date.now() + 60_000,
          };
        },
      });
    const [a, b] = [make(), make()];
    const first = a.acquire();
    await new Promise((resolve) => setImmediate(resolve));
    holdReads = true;
    const second = b.acquire();
    holdReads = false;
    answer();
    expect((await first).accessToken).toBe('t1');
    for (const release of heldReads) release();
    expect((await second).accessToken).toBe('t1');
    expect(exchanges).toBe(1);
  });

  it('treats a store that throws as empty and still hands out the token (fail open)', async () => {
    const broken: TokenStore = {
      get: () => Promise.reject(new Error('store down')),
      set: () => Promise.reject(new Error('store down')),
      delete: () => Promise.reject(new Error('store down')),
    };
    const h = harness(broken);
    expect((await h.manager.acquire()).accessToken).toBe('t1');
    await expect(h.manager.invalidate('t1')).resolves.toBeUndefined();
  });
});

describe('TokenManager with a store lock (TokenStore.lock)', () => {
  /** A store shared by "processes" (managers with their own KeyedLock), with a lock as Redis would hold it. */
  function sharedStore(lockImpl?: TokenStore['lock']) {
    const store: TokenStore & { attempts: number; releases: number; holders: Set<string> } = Object.assign(
      new MemoryTokenStore(),
      { attempts: 0, releases: 0, holders: new Set<string>() },
    );
    store.lock =
      lockImpl ??
      (async (key: string) => {
        store.attempts += 1;
        if (store.holders.has(key)) return undefined;
        store.holders.add(key);
        return {
          extend: async () => store.holders.has(key),
          release: async () => {
            store.releases += 1;
            store.holders.delete(key);
          },
        };
      });
    return store;
  }

  function member(store: TokenStore, exchange: () => Promise<AccessToken>, waitMs = 2_000) {
    return new TokenManager({
      key: 'k',
      store,
      lock: new KeyedLock(),
      exchange,
      refreshBeforeExpiryMs: 0,
      storeLock: { leaseMs: 10_000, waitMs, pollIntervalMs: 5 },
    });
  }

  function endpoint(delayMs = 20) {
    let count = 0;
    const exchange = async (): Promise<AccessToken> => {
      count += 1;
      const accessToken = `t${count}`;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { accessToken, tokenType: 'Bearer', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 };
    };
    return { exchange, count: () => count };
  }

  it('makes one exchange for two processes, and releases the lock once', async () => {
    const store = sharedStore();
    const { exchange, count } = endpoint();
    const [a, b] = [member(store, exchange), member(store, exchange)];
    const tokens = await Promise.all(
      [...Array(10).fill(a), ...Array(10).fill(b)].map((m: TokenManager) => m.acquire()),
    );
    expect(count()).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['t1']));
    expect(store.releases).toBe(1);
    expect(store.holders.size).toBe(0);
  });

  it('takes no lock on the warm path', async () => {
    const store = sharedStore();
    const manager = member(store, endpoint().exchange);
    await manager.acquire();
    const attempts = store.attempts;
    expect(manager.acquire()).not.toBeInstanceOf(Promise);
    expect(store.attempts).toBe(attempts);
  });

  it('exchanges on its own past the wait bound when the lock stays taken', async () => {
    const store = sharedStore();
    store.holders.add('k'); // a holder that never writes a token nor releases
    const { exchange, count } = endpoint();
    expect((await member(store, exchange, 50).acquire()).accessToken).toBe('t1');
    expect(count()).toBe(1);
    expect(store.attempts).toBeGreaterThan(1);
  });

  it('exchanges at once when the lock cannot be decided', async () => {
    let attempts = 0;
    const store = sharedStore(async () => {
      attempts += 1;
      throw new Error('store unreachable');
    });
    const { exchange, count } = endpoint();
    expect((await member(store, exchange).acquire()).accessToken).toBe('t1');
    expect({ attempts, exchanges: count() }).toEqual({ attempts: 1, exchanges: 1 });
  });

  describe("the holder's own read, right after the store granted the lock", () => {
    const flush = async () => {
      for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
    };
    /**
     * A store that grants the lock `grantMs` after being asked (on the manager's clock) and whose
     * third read (the holder's, after the grant) answers when told.
     */
    function busyStore(clock: ManualClock, grantMs: number) {
      let reads = 0;
      let answer: (token: AccessToken | undefined) => void = () => {};
      const store: TokenStore = {
        get: () => {
          reads += 1;
          if (reads < 3) return Promise.resolve(undefined);
          return new Promise<AccessToken | undefined>((resolve) => (answer = resolve));
        },
        set: async () => {},
        delete: async () => false,
        lock: () => clock.sleep(grantMs).then(() => ({ extend: async () => true, release: async () => {} })),
      };
      return { store, reads: () => reads, answer: (token: AccessToken | undefined) => answer(token) };
    }
    /** A holder with 500 ms store bounds: 2,000 ms on the lock path, 10,000 ms for the lock. */
    function holder(store: TokenStore, clock: ManualClock) {
      const exchanges: string[] = [];
      const manager = new TokenManager({
        key: 'k',
        store,
        lock: new KeyedLock(),
        clock,
        exchange: async () => {
          exchanges.push('own');
          return { accessToken: 'own', tokenType: 'Bearer', issuedAt: clock.now(), expiresAt: clock.now() + 60_000 };
        },
        refreshBeforeExpiryMs: 0,
        storeTimeoutsMs: { get: 500, set: 500, delete: 500, lock: 10_000 },
      });
      return { manager, exchanges };
    }
    /** Starts a cold acquire and lets the store grant the lock after `grantMs`; answers once the holder reads. */
    async function coldAcquire(grantMs: number) {
      const clock = new ManualClock();
      const busy = busyStore(clock, grantMs);
      const { manager, exchanges } = holder(busy.store, clock);
      const acquired = Promise.resolve(manager.acquire());
      await flush();
      clock.advance(grantMs);
      await flush();
      expect(busy.reads()).toBe(3);
      return { clock, busy, exchanges, acquired };
    }

    it('waits four times what a busy store took to grant, so its late answer saves the exchange', async () => {
      const { clock, busy, exchanges, acquired } = await coldAcquire(1_000);
      clock.advance(3_999); // past the lock path's 2,000 ms, within four times the 1,000 ms grant
      await flush();
      expect(exchanges).toEqual([]);
      const fleets: AccessToken = {
        accessToken: 'fleet',
        tokenType: 'Bearer',
        issuedAt: clock.now(),
        expiresAt: clock.now() + 60_000,
      };
      busy.answer(fleets);
      expect(await acquired).toBe(fleets);
      expect(exchanges).toEqual([]);
    });

    it('exchanges once the read outlives that bound', async () => {
      const { clock, exchanges, acquired } = await coldAcquire(1_000);
      clock.advance(4_000);
      expect((await acquired).accessToken).toBe('own');
      expect(exchanges).toEqual(['own']);
    });

    it("waits no longer than the lock path's bound after a grant that came at once", async () => {
      const { clock, exchanges, acquired } = await coldAcquire(0);
      clock.advance(1_999);
      await flush();
      expect(exchanges).toEqual([]);
      clock.advance(1);
      expect((await acquired).accessToken).toBe('own');
    });

    it("waits no longer than the lock's bound after a grant that took longer than a quarter of it", async () => {
      const { clock, exchanges, acquired } = await coldAcquire(5_000);
      clock.advance(9_999);
      await flush();
      expect(exchanges).toEqual([]);
      clock.advance(1);
      expect((await acquired).accessToken).toBe('own');
    });
  });

  it('releases the lock when the exchange fails, and a waiting process takes over', async () => {
    const store = sharedStore();
    let calls = 0;
    const failure = new Error('endpoint down');
    const { exchange } = endpoint();
    const flaky = async (): Promise<AccessToken> => {
      calls += 1;
      if (calls === 1) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        throw failure;
      }
      return exchange();
    };
    const [a, b] = [member(store, flaky), member(store, flaky)];
    const first = Promise.resolve(a.acquire()).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 5)); // a holds the lock
    const second = await b.acquire();
    expect(await first).toBe(failure);
    expect(second.accessToken).toBe('t1');
    expect({ calls, releases: store.releases, held: store.holders.size }).toEqual({ calls: 2, releases: 2, held: 0 });
  });
});

describe('TokenManager pins down its timing, counters and store calls', () => {
  interface Exchanged {
    background: boolean;
  }

  /**
   * A manager on a manual clock (60 s tokens, a 10 s renewal window, the jitter drawn from
   * `jitter`), with its exchanges, events and random draws recorded.
   */
  function observed(options: { store?: TokenStore; jitter?: number; key?: TokenManagerOptions['key'] } = {}) {
    const clock = new ManualClock();
    const store = options.store ?? new MemoryTokenStore();
    const exchanges: Exchanged[] = [];
    const events: ClientCredentialsEvent[] = [];
    let draws = 0;
    let next: (count: number) => Promise<AccessToken> = async (count) => ({
      accessToken: `t${count}`,
      tokenType: 'Bearer',
      issuedAt: clock.now(),
      expiresAt: clock.now() + 60_000,
    });
    const telemetry = new Telemetry({ listener: (event) => events.push(event), log: undefined });
    const manager = new TokenManager({
      key: options.key ?? 'k',
      store,
      lock: new KeyedLock(),
      exchange: ({ background }) => {
        exchanges.push({ background });
        return next(exchanges.length);
      },
      refreshBeforeExpiryMs: 10_000,
      clock,
      random: () => {
        draws += 1;
        return options.jitter ?? 0;
      },
      telemetry,
    });
    return {
      manager,
      clock,
      store,
      exchanges,
      events,
      telemetry,
      draws: () => draws,
      exchangeWith: (make: (count: number) => Promise<AccessToken>) => (next = make),
      sync: () => {
        const token = manager.acquire();
        expect(token).not.toBeInstanceOf(Promise);
        return (token as AccessToken).accessToken;
      },
    };
  }

  const ofType = (events: ClientCredentialsEvent[], type: ClientCredentialsEvent['type']) =>
    events.filter((event) => event.type === type);

  it('draws the renewal jitter once per token, and renews that much earlier', async () => {
    const h = observed({ jitter: 0.5 });
    await h.manager.acquire();
    // 60 s token, 10 s window, jitter 0.5 of 10% of the window: renewal starts at 49.5 s.
    h.clock.advance(49_499);
    for (let i = 0; i < 5; i += 1) expect(h.sync()).toBe('t1');
    expect(h.draws()).toBe(1);
    expect(h.exchanges).toHaveLength(1);
    h.clock.advance(1);
    expect(h.sync()).toBe('t1');
    await flush();
    expect(h.exchanges).toEqual([{ background: false }, { background: true }]);
  });

  it('serves a token in its window until the last quarter of it, then makes callers wait', async () => {
    const h = observed();
    await h.manager.acquire();
    h.clock.advance(57_499);
    expect(h.sync()).toBe('t1');
    await flush();
    expect(h.exchanges).toHaveLength(2);
    const late = observed();
    await late.manager.acquire();
    late.clock.advance(57_500);
    const pending = late.manager.acquire();
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).accessToken).toBe('t2');
    expect(late.exchanges).toEqual([{ background: false }, { background: false }]);
  });

  it('isFresh() is true before the renewal window and false from its first millisecond', () => {
    const h = observed();
    const token: AccessToken = {
      accessToken: 'x',
      tokenType: 'Bearer',
      issuedAt: h.clock.now(),
      expiresAt: h.clock.now() + 60_000,
    };
    expect(h.manager.isFresh(undefined)).toBe(false);
    h.clock.advance(49_999);
    expect(h.manager.isFresh(token)).toBe(true);
    h.clock.advance(1);
    expect(h.manager.isFresh(token)).toBe(false);
    // Also once a token was judged, and once it was dropped again.
    expect(h.manager.isFresh(undefined)).toBe(false);
  });

  it('isFresh() of no token stays false after a fresh token was dropped', async () => {
    const h = observed();
    await h.manager.acquire();
    expect(h.sync()).toBe('t1');
    expect(h.manager.isFresh(undefined)).toBe(false);
    await h.manager.invalidate();
    expect(h.manager.isFresh(undefined)).toBe(false);
  });

  it('reads the store once more on its way to an exchange, and takes the token another process wrote meanwhile', async () => {
    let reads = 0;
    const clock = new ManualClock();
    const fleets: AccessToken = {
      accessToken: 'fleet',
      tokenType: 'Bearer',
      issuedAt: clock.now(),
      expiresAt: clock.now() + 60_000,
    };
    const exchanges: boolean[] = [];
    const manager = new TokenManager({
      key: 'k',
      store: {
        get: async () => (++reads === 1 ? undefined : fleets),
        set: async () => {},
        delete: async () => false,
      },
      lock: new KeyedLock(),
      clock,
      exchange: ({ background }) => {
        exchanges.push(background);
        return Promise.reject(new Error('not expected'));
      },
      refreshBeforeExpiryMs: 10_000,
    });
    expect(await manager.acquire()).toBe(fleets);
    expect({ reads, exchanges }).toEqual({ reads: 2, exchanges: [] });
  });

  it('counts waits and cache hits, and says where a hit came from', async () => {
    const sources: unknown[] = [];
    const onHit = (message: unknown) => sources.push((message as { source: unknown }).source);
    subscribe(CACHE_HIT_CHANNEL, onHit);
    try {
      const memory = observed();
      await Promise.all([memory.manager.acquire(), memory.manager.acquire()]);
      memory.sync();
      memory.sync();
      expect(memory.telemetry.stats()).toMatchObject({ waits: 2, cacheHits: 2, exchanges: 0 });
      const backing = new MemoryTokenStore();
      const slow = observed({
        store: {
          get: async (key) => backing.get(key),
          set: (...args) => backing.set(...args),
          delete: (...args) => backing.delete(...args),
        },
      });
      await slow.manager.acquire();
      expect((await slow.manager.acquire()).accessToken).toBe('t1');
      expect(slow.telemetry.stats()).toMatchObject({ waits: 1, cacheHits: 1 });
    } finally {
      unsubscribe(CACHE_HIT_CHANNEL, onHit);
    }
    expect(sources).toEqual(['memory', 'memory', 'store']);
  });

  it('reports a failing store call as a store_error event with its operation', async () => {
    const h = observed({
      store: {
        get: () => Promise.reject(Object.assign(new Error('down'), { code: 'ECONNREFUSED' })),
        set: () => Promise.reject(new Error('down')),
        delete: () => Promise.reject(new Error('down')),
      },
    });
    await h.manager.acquire();
    expect(ofType(h.events, 'store_error')).toEqual([
      {
        type: 'store_error',
        name: 'axios-client-credentials',
        operation: 'get',
        error: { name: 'Error', code: 'ECONNREFUSED', status: undefined },
      },
      {
        type: 'store_error',
        name: 'axios-client-credentials',
        operation: 'get',
        error: { name: 'Error', code: 'ECONNREFUSED', status: undefined },
      },
      {
        type: 'store_error',
        name: 'axios-client-credentials',
        operation: 'set',
        error: { name: 'Error', code: undefined, status: undefined },
      },
    ]);
  });

  it('announces one background renewal with the time the token has left, however many requests come', async () => {
    const h = observed();
    await h.manager.acquire();
    h.clock.advance(50_000);
    for (let i = 0; i < 10; i += 1) expect(h.sync()).toBe('t1');
    await flush();
    expect(h.exchanges).toEqual([{ background: false }, { background: true }]);
    expect(ofType(h.events, 'renewal_scheduled')).toEqual([
      { type: 'renewal_scheduled', name: 'axios-client-credentials', expiresInMs: 10_000 },
    ]);
    expect(h.telemetry.stats().backgroundRenewals).toBe(1);
    expect(h.sync()).toBe('t2');
  });

  it('backs off after a failed background renewal, reports the wait, and starts afresh after a success', async () => {
    const h = observed();
    await h.manager.acquire();
    const failure = Object.assign(new Error('endpoint down'), { code: 'E_DOWN' });
    h.exchangeWith(() => Promise.reject(failure));
    h.clock.advance(50_000);
    h.sync();
    await flush();
    expect(ofType(h.events, 'background_renewal_failed')).toEqual([
      {
        type: 'background_renewal_failed',
        name: 'axios-client-credentials',
        error: { name: 'Error', code: 'E_DOWN', status: undefined },
        retryInMs: 1_000,
      },
    ]);
    h.clock.advance(999);
    h.sync();
    await flush();
    expect(h.exchanges).toHaveLength(2);
    h.clock.advance(1);
    h.sync();
    await flush();
    expect(h.exchanges).toHaveLength(3);
    expect(ofType(h.events, 'background_renewal_failed').map((e) => (e as { retryInMs: number }).retryInMs)).toEqual([
      1_000, 2_000,
    ]);
    // A success clears the backoff: the next token's first failure waits 1 s again.
    h.exchangeWith(async (count) => ({
      accessToken: `t${count}`,
      tokenType: 'Bearer',
      issuedAt: h.clock.now(),
      expiresAt: h.clock.now() + 60_000,
    }));
    h.clock.advance(2_000);
    h.sync();
    await flush();
    expect(h.sync()).toBe('t4');
    h.exchangeWith(() => Promise.reject(failure));
    h.clock.advance(50_000);
    h.sync();
    await flush();
    expect(ofType(h.events, 'background_renewal_failed').map((e) => (e as { retryInMs: number }).retryInMs)).toEqual([
      1_000, 2_000, 1_000,
    ]);
  });

  it('treats a background renewal that brings back the same token as failed, so it is not retried on every request', async () => {
    const h = observed();
    const first = await h.manager.acquire();
    h.exchangeWith(async () => first);
    h.clock.advance(50_000);
    h.sync();
    await flush();
    h.sync();
    await flush();
    expect(h.exchanges).toHaveLength(2);
    h.clock.advance(1_000);
    h.sync();
    await flush();
    expect(h.exchanges).toHaveLength(3);
  });

  it('backs off when the server hands back the same access token, even with a later expiry', async () => {
    const h = observed();
    await h.manager.acquire();
    // The same access token, now said to last 600 ms: fresh, but due again in 500 ms (5/6 of it).
    h.exchangeWith(async () => ({
      accessToken: 't1',
      tokenType: 'Bearer',
      issuedAt: h.clock.now(),
      expiresAt: h.clock.now() + 600,
    }));
    h.clock.advance(50_000);
    h.sync();
    await flush();
    expect(h.exchanges).toHaveLength(2);
    // Due again, but within the 1 s backoff of a renewal that renewed nothing: still served, no exchange.
    h.clock.advance(500);
    expect(h.sync()).toBe('t1');
    await flush();
    expect(h.exchanges).toHaveLength(2);
  });

  it('treats a background renewal that brings a token already due as failed too', async () => {
    const h = observed();
    await h.manager.acquire();
    // A new token, but one already in its own renewal window.
    h.exchangeWith(async (count) => ({
      accessToken: `t${count}`,
      tokenType: 'Bearer',
      issuedAt: h.clock.now() - 55_000,
      expiresAt: h.clock.now() + 5_000,
    }));
    h.clock.advance(50_000);
    h.sync();
    await flush();
    expect(h.sync()).toBe('t2');
    await flush();
    expect(h.exchanges).toHaveLength(2);
  });

  it('never serves a token it invalidated again, even when the store failed to delete it', async () => {
    for (const rejected of ['t1', undefined]) {
      const backing = new MemoryTokenStore();
      const h = observed({
        store: { get: (key) => backing.get(key), set: (...args) => backing.set(...args), delete: async () => false },
      });
      await h.manager.acquire();
      expect(h.sync()).toBe('t1');
      await h.manager.invalidate(rejected);
      const renewed = h.manager.acquire();
      expect(renewed).toBeInstanceOf(Promise);
      expect((await renewed).accessToken).toBe('t2');
      expect(h.sync()).toBe('t2');
    }
  });

  it('writes the token with the time it has left when the exchange ended as its TTL', async () => {
    const sets: Array<[string, string, number]> = [];
    const backing = new MemoryTokenStore();
    const h = observed({
      store: {
        get: (key) => backing.get(key),
        set: (key, token, ttlMs) => {
          sets.push([key, token.accessToken, ttlMs]);
          return backing.set(key, token, ttlMs);
        },
        delete: (...args) => backing.delete(...args),
      },
    });
    h.exchangeWith(async (count) => {
      const issuedAt = h.clock.now();
      h.clock.advance(1_500); // the exchange takes 1.5 s
      return { accessToken: `t${count}`, tokenType: 'Bearer', issuedAt, expiresAt: issuedAt + 60_000 };
    });
    await h.manager.acquire();
    expect(sets).toEqual([['k', 't1', 58_500]]);
  });

  it('resolves a credential-bound key before the first read, and stores under the key the credential has after the exchange', async () => {
    let current: string | undefined;
    const resolved: string[] = [];
    const key = {
      current: () => current,
      resolve: async () => {
        current = 'k-1';
        resolved.push(current);
        return current;
      },
    };
    const store = new MemoryTokenStore();
    const h = observed({ store, key });
    h.exchangeWith(async (count) => {
      current = 'k-2'; // the secret rotated during the exchange
      return {
        accessToken: `t${count}`,
        tokenType: 'Bearer',
        issuedAt: h.clock.now(),
        expiresAt: h.clock.now() + 60_000,
      };
    });
    expect((await h.manager.acquire()).accessToken).toBe('t1');
    expect(resolved).toEqual(['k-1']);
    expect(store.get('k-1')).toBeUndefined();
    expect(store.get('k-2')?.accessToken).toBe('t1');
  });

  it('invalidates nothing, at once, while a credential-bound key is not known yet', async () => {
    const deletes: string[] = [];
    const lock = new KeyedLock();
    const exclusive = jest.spyOn(lock, 'exclusive');
    const manager = new TokenManager({
      key: { current: () => undefined, resolve: async () => 'never' },
      store: { get: () => undefined, set: () => {}, delete: (key) => (deletes.push(key), true) },
      lock,
      exchange: () => Promise.reject(new Error('not called')),
      refreshBeforeExpiryMs: 0,
    });
    await expect(manager.invalidate('t1')).resolves.toBeUndefined();
    await expect(manager.invalidate()).resolves.toBeUndefined();
    expect(deletes).toEqual([]);
    expect(exclusive).not.toHaveBeenCalled();
  });

  describe('bounds its reads and writes by where they happen', () => {
    /** A store whose reads after the first, and whose writes, never answer: each call ends at its bound. */
    function slowStore(withLock: boolean) {
      let reads = 0;
      let writes = 0;
      const store: TokenStore = {
        get: () => {
          reads += 1;
          return reads === 1 ? Promise.resolve(undefined) : new Promise<undefined>(() => {});
        },
        set: () => {
          writes += 1;
          return new Promise<void>(() => {});
        },
        delete: async () => false,
        ...(withLock ? { lock: async () => ({ extend: async () => true, release: async () => {} }) } : {}),
      };
      return { store, reads: () => reads, writes: () => writes };
    }

    async function timeline(withLock: boolean, boundMs: number) {
      const slow = slowStore(withLock);
      const h = observed({ store: slow.store });
      let settled: AccessToken | undefined;
      void Promise.resolve(h.manager.acquire()).then((token) => (settled = token));
      await flush();
      expect(slow.reads()).toBe(2);
      h.clock.advance(boundMs - 1);
      await flush();
      expect(h.exchanges).toHaveLength(0);
      h.clock.advance(1);
      await flush();
      // With a lock, the holder reads once more (bounded as well) before it exchanges.
      if (withLock) {
        h.clock.advance(boundMs);
        await flush();
      }
      expect(h.exchanges).toHaveLength(1);
      expect(slow.writes()).toBe(1);
      h.clock.advance(boundMs - 1);
      await flush();
      expect(settled).toBeUndefined();
      h.clock.advance(1);
      await flush();
      expect(settled?.accessToken).toBe('t1');
    }

    it('bounds the read before an exchange and the write after it at 500 ms without a store lock', async () => {
      await timeline(false, 500);
    });

    it("bounds them at the lock path's 2,000 ms with a store lock", async () => {
      await timeline(true, 2_000);
    });
  });
});

describe('TokenManager without telemetry', () => {
  it('logs nothing, even with DEBUG naming the library', async () => {
    const saved = process.env['DEBUG'];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    process.env['DEBUG'] = 'axios-client-credentials';
    try {
      const manager = new TokenManager({
        key: 'k',
        store: { get: () => Promise.reject(new Error('down')), set: async () => {}, delete: async () => false },
        lock: new KeyedLock(),
        exchange: async () => ({ accessToken: 't', tokenType: 'Bearer', issuedAt: 0, expiresAt: 8.64e15 }),
        refreshBeforeExpiryMs: 0,
      });
      expect((await manager.acquire()).accessToken).toBe('t');
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
      if (saved === undefined) delete process.env['DEBUG'];
      else process.env['DEBUG'] = saved;
    }
  });
});
