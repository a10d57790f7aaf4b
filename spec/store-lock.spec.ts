import axios from 'axios';
import { installClientCredentials } from '../lib';
import type { ClientCredentialsOptions } from '../lib/options';
import {
  DEFAULT_STORE_LOCK_TIMING,
  storeLockTiming,
  underStoreLock,
  type LockingStore,
  type StoreLockOptions,
} from '../lib/store-lock';
import { storeTimeouts } from '../lib/stores/guarded';
import type { AccessToken, StoreLease, TokenStore } from '../lib/types';
import { ManualClock } from './support/clock';
import { countingTokenClient } from './support/token-client';

/** A store whose lock is held by this test: it counts lease calls and never holds real state. */
function leasingStore() {
  const calls = { lock: 0, extend: 0, release: 0, waits: 0 };
  let held = false;
  const lease: StoreLease = {
    extend: async () => {
      calls.extend += 1;
      return true;
    },
    release: async () => {
      calls.release += 1;
      held = false;
    },
  };
  const store: LockingStore = {
    lock: async () => {
      calls.lock += 1;
      if (held) return undefined;
      held = true;
      return lease;
    },
    waitForUnlock: async () => {
      calls.waits += 1;
    },
  };
  return { store, calls, hold: () => (held = true) };
}

const timing = { leaseMs: 3_000, waitMs: 30_000, pollIntervalMs: 1_000 };

function run<T>(options: Partial<StoreLockOptions<T>> & Pick<StoreLockOptions<T>, 'store' | 'produce'>): Promise<T> {
  return underStoreLock({ ...timing, key: 'k', readFresh: async () => undefined, ...options });
}

describe('underStoreLock()', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const slowly =
    <T>(fn: () => T, ms: number) =>
    () =>
      new Promise<T>((resolve, reject) =>
        setTimeout(() => {
          try {
            resolve(fn());
          } catch (error) {
            reject(error as Error);
          }
        }, ms),
      );

  it.each([
    ['succeeds', () => 'token', (p: Promise<unknown>) => expect(p).resolves.toBe('token')],
    [
      'fails',
      () => {
        throw new Error('endpoint down');
      },
      (p: Promise<unknown>) => expect(p).rejects.toThrow('endpoint down'),
    ],
  ])(
    'extends the lease every third of it while the exchange runs, and stops when it %s',
    async (_outcome, answer, check) => {
      const { store, calls } = leasingStore();
      const result = run({ store, produce: slowly(answer, 9_500) });
      const settled = check(result);
      await jest.advanceTimersByTimeAsync(9_500);
      await settled;
      expect(calls).toEqual({ lock: 1, extend: 9, release: 1, waits: 0 });
      await jest.advanceTimersByTimeAsync(60_000);
      expect(calls.extend).toBe(9);
      expect(jest.getTimerCount()).toBe(0);
    },
  );

  it('stops extending and releases when reading the store throws', async () => {
    const { store, calls } = leasingStore();
    const result = run({
      store,
      readFresh: () => {
        throw new Error('read bug');
      },
      produce: async () => 'never',
    });
    await expect(result).rejects.toThrow('read bug');
    expect(calls).toEqual({ lock: 1, extend: 0, release: 1, waits: 0 });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps the renewal timer from holding the process open', async () => {
    const { store } = leasingStore();
    const spy = jest.spyOn(global, 'setTimeout');
    const result = run({ store, produce: slowly(() => 'token', 100) });
    await jest.advanceTimersByTimeAsync(0);
    // The first timer is the extension's; the second is the slow exchange's own.
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    await jest.advanceTimersByTimeAsync(100);
    expect(await result).toBe('token');
    spy.mockRestore();
  });

  it('stops extending a lease the holder has lost', async () => {
    const { store, calls } = leasingStore();
    const lost: StoreLease = {
      extend: async () => {
        calls.extend += 1;
        return false;
      },
      release: async () => undefined,
    };
    const result = run({ store: { ...store, lock: async () => lost }, produce: slowly(() => 'token', 10_000) });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(await result).toBe('token');
    expect(calls.extend).toBe(1);
  });

  it("waits to be woken, then serves the holder's token without exchanging", async () => {
    const { store, calls, hold } = leasingStore();
    hold();
    let reads = 0;
    const produce = jest.fn(async () => 'own');
    const result = run({ store, readFresh: async () => (++reads === 2 ? 'holders' : undefined), produce });
    await jest.advanceTimersByTimeAsync(0);
    expect(await result).toBe('holders');
    expect({ ...calls, reads, produced: produce.mock.calls.length }).toEqual({
      lock: 2,
      extend: 0,
      release: 0,
      waits: 2,
      reads: 2,
      produced: 0,
    });
  });

  it('gives up waiting at a deadline staggered by up to a quarter of waitMs', async () => {
    const { store, hold } = leasingStore();
    hold();
    const deadlines: number[] = [];
    for (const random of [0, 0.999]) {
      const start = performance.now();
      const result = run({
        store: { ...store, waitForUnlock: (_key, ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
        random: () => random,
        produce: async () => performance.now() - start,
      });
      await jest.advanceTimersByTimeAsync(40_000);
      deadlines.push(await result);
    }
    expect(deadlines).toEqual([30_000, 37_493]);
  });

  it('exchanges at once and says why when the store fails to decide the lock', async () => {
    const errors: unknown[] = [];
    const failure = new Error('redis down');
    const store: LockingStore = { ...leasingStore().store, lock: () => Promise.reject(failure) };
    expect(await run({ store, produce: async () => 'own', onLockError: (e) => errors.push(e) })).toBe('own');
    expect(errors).toEqual([failure]);
  });

  it.each([
    ['is not a function', { lock: undefined }, /is not a function/],
    ['answers no promise', { lock: () => undefined }, /"store\.lock" must answer a promise/],
    [
      'rejects with a TypeError (a lease that is none, as the guarded store says)',
      { lock: () => Promise.reject(new TypeError('"store.lock" must answer a lease')) },
      /"store\.lock" must answer a lease/,
    ],
  ])('throws a programming error, not "fail open", when the lock %s', async (_name, broken, message) => {
    const store = { ...leasingStore().store, ...broken } as unknown as LockingStore;
    const produce = jest.fn(async () => 'own');
    await expect(run({ store, produce })).rejects.toThrow(message);
    expect(produce).not.toHaveBeenCalled();
  });
});

describe('underStoreLock() on an injected clock', () => {
  const HOUR_MS = 3_600_000;
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };

  it('waits for a holder on the clock, and a wall-clock step back does not extend the wait', async () => {
    const clock = new ManualClock();
    const { store, calls, hold } = leasingStore();
    hold();
    let produced = 0;
    // No waitForUnlock: the waiter polls, sleeping on the clock between looks.
    const result = underStoreLock({
      ...timing,
      store: { lock: store.lock },
      key: 'k',
      clock,
      random: () => 0,
      readFresh: async () => undefined,
      produce: async () => {
        produced += 1;
        return 'own token';
      },
    });
    for (let second = 1; second < 30; second += 1) {
      await flush();
      clock.stepWall(-HOUR_MS);
      clock.advance(1_000);
    }
    await flush();
    expect({ produced, locks: calls.lock }).toEqual({ produced: 0, locks: 30 });
    clock.advance(1_000);
    expect(await result).toBe('own token');
    expect({ produced, locks: calls.lock }).toEqual({ produced: 1, locks: 31 });
  });

  it('extends a held lease on the clock every third of it', async () => {
    const clock = new ManualClock();
    const { store, calls } = leasingStore();
    let finish: (token: string) => void = () => {};
    const result = underStoreLock({
      ...timing,
      store,
      key: 'k',
      clock,
      readFresh: async () => undefined,
      produce: () => new Promise<string>((resolve) => (finish = resolve)),
    });
    for (let second = 1; second <= 9; second += 1) {
      await flush();
      clock.advance(1_000);
    }
    await flush();
    expect(calls.extend).toBe(9);
    finish('token');
    expect(await result).toBe('token');
    expect({ release: calls.release, timers: clock.pendingTimers }).toEqual({ release: 1, timers: 0 });
  });
});

describe('storeLockTiming()', () => {
  it("waits as long as the holder's read under the lock, its whole exchange and its write", () => {
    // A held read: four times the read's 5 s; a write on the lock path: four times 5 s.
    expect(storeLockTiming(60_000, storeTimeouts(5_000))).toEqual({
      leaseMs: 1_500,
      waitMs: 20_000 + 60_000 + 20_000,
      pollIntervalMs: 1_000,
    });
  });

  it('gives the default timing a 122-second wait: a 10 s held read, a 110 s exchange, a 2 s write', () => {
    expect(DEFAULT_STORE_LOCK_TIMING).toEqual({ leaseMs: 1_500, waitMs: 122_000, pollIntervalMs: 1_000 });
  });
});

describe('installClientCredentials() with a store lock shared by two processes', () => {
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };

  /** One token store as two processes see it: two store objects over the same entries and lock. */
  function sharedStore(clock: ManualClock) {
    const entries = new Map<string, AccessToken>();
    const holders = new Set<string>();
    const view = (): TokenStore => ({
      get: async (key) => entries.get(key),
      set: async (key, token) => void entries.set(key, token),
      delete: async (key) => entries.delete(key),
      lock: async (key) => {
        if (holders.has(key)) return undefined;
        holders.add(key);
        return { extend: async () => holders.has(key), release: async () => void holders.delete(key) };
      },
      // No wake-ups: a waiter polls on the clock.
      waitForUnlock: (_key, timeoutMs) => clock.sleep(timeoutMs),
    });
    return { view };
  }

  it("waits out a holder's exchange that takes two Retry-After waits and a slow answer (49 s), and makes no exchange of its own", async () => {
    const clock = new ManualClock();
    const requests: number[] = [];
    // Two 503s asking for 10 s each, then an answer after 29 s: 49 s in all, well within the
    // exchange's own bounds (3 attempts of 30 s, waits of up to 10 s), longer than 35 s plus a quarter.
    const tokenClient = axios.create({
      adapter: async (config) => {
        requests.push(clock.monotonic());
        const n = requests.length;
        if (n <= 2) {
          return { status: 503, statusText: 'Service Unavailable', headers: { 'retry-after': '10' }, data: '', config };
        }
        await clock.sleep(29_000);
        return {
          status: 200,
          statusText: 'OK',
          headers: { 'content-type': 'application/json' },
          data: JSON.stringify({ access_token: `token-${n}`, token_type: 'Bearer', expires_in: 3600 }),
          config,
        };
      },
    });
    const store = sharedStore(clock);
    const install = () =>
      installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'client',
        clientSecret: 'secret',
        store: store.view(),
        tokenClient,
        clock,
      } as ClientCredentialsOptions);
    const [a, b] = [install(), install()];
    const holder = a.getToken();
    await flush();
    expect(requests).toEqual([0]);
    const waiter = b.getToken();
    for (let second = 1; second <= 60; second += 1) {
      await flush();
      clock.advance(1_000);
    }
    await flush();
    expect(requests).toEqual([0, 10_000, 20_000]);
    expect((await holder).accessToken).toBe('token-3');
    expect((await waiter).accessToken).toBe('token-3');
    expect(b.stats().exchanges).toBe(0);
  });
});

describe('installClientCredentials() with a store whose lock breaks its contract', () => {
  const base: TokenStore = { get: async () => undefined, set: async () => {}, delete: async () => false };

  it.each([
    ['answers no promise', () => undefined, '"store.lock" must answer a promise'],
    [
      'answers a release function, not a lease',
      async () => () => {},
      '"store.lock" must answer a lease ({ extend, release }) or undefined',
    ],
  ])(
    'surfaces a TypeError, never "fails open", when the lock %s, and requests no token',
    async (_name, lock, message) => {
      const { tokenClient, requests } = countingTokenClient();
      const handle = installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'client',
        clientSecret: 'secret',
        store: { ...base, lock } as unknown as TokenStore,
        tokenClient,
        tokenRequestRetries: 0,
      });
      const failure = handle.getToken();
      await expect(failure).rejects.toThrow(TypeError);
      await expect(failure).rejects.toThrow(message);
      expect({ requests: requests(), exchanges: handle.stats().exchanges }).toEqual({ requests: 0, exchanges: 0 });
    },
  );
});
