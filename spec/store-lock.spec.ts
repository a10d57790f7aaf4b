import { underStoreLock, type LockingStore, type StoreLockOptions } from '../lib/store-lock';
import type { StoreLease } from '../lib/types';
import { ManualClock } from './support/clock';

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
