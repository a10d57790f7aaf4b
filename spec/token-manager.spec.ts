import { clockFrom, ManualClock } from './support/clock';
import { KeyedLock } from '../lib/lock';
import { MemoryTokenStore } from '../lib/stores/memory';
import { cacheKey, type CacheKeyParts } from '../lib/cache-key';
import { renewalWindowMs } from '../lib/refresh';
import { TokenManager } from '../lib/token-manager';
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
    failWith: (error: Error) => {
      next = async () => {
        exchanges += 1;
        await new Promise((resolve) => setImmediate(resolve));
        throw error;
      };
    },
    recover: () => (next = succeed),
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
    h.recover();
    expect((await h.manager.acquire()).accessToken).toBe('t2');
    expect(h.exchanges()).toBe(2);
  });

  it('compare-and-delete keeps a newer token in place', async () => {
    const h = harness();
    await h.manager.acquire();
    await h.manager.invalidate('some-older-token');
    expect((h.manager.acquire() as AccessToken).accessToken).toBe('t1');
    await h.manager.invalidate('t1');
    expect((await h.manager.acquire()).accessToken).toBe('t2');
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
