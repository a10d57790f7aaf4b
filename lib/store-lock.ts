import { systemClock, type Clock } from './clock';
import { DEFAULT_ACQUISITION_TIMEOUT_MS } from './deadline';
import { DEFAULT_STORE_TIMEOUT_MS, storeCallBoundMs, storeTimeouts, type StoreTimeouts } from './stores/guarded';
import { isThenable } from './thenable';
import type { StoreLease, TokenStore } from './types';

/** How the token manager uses a store's cross-process lock. Durations in milliseconds. */
export interface StoreLockTiming {
  /**
   * How long a lease lives unless its holder extends it. The holder extends it every third of
   * this while its exchange runs, so this bounds how long a dead holder blocks the fleet.
   */
  leaseMs: number;
  /**
   * How long a caller that finds the lock taken waits for the holder's token before exchanging on
   * its own: as long as a live holder's exchange may take. Each waiter adds up to a quarter more
   * at random, so waiters that give up do not all exchange at once.
   */
  waitMs: number;
  /**
   * The slow fallback: how long a waiter sleeps before looking again when nothing woke it (the
   * store has no {@link TokenStore.waitForUnlock}, or its notification was lost).
   */
  pollIntervalMs: number;
}

/**
 * The timing for a holder whose exchange takes at most `exchangeMs` (see `exchangeBoundMs`,
 * lib/exchange.ts) and whose store calls are bounded by `storeTimeoutsMs`: a 1.5-second lease (a
 * dead holder blocks the fleet for 1.5 seconds at most), a 1-second fallback poll (waiters are
 * woken by the store, polling only covers a lost wake-up), and a wait as long as everything a live
 * holder does once it has the lock: its read of the store, its whole exchange, its write.
 */
export function storeLockTiming(exchangeMs: number, storeTimeoutsMs: StoreTimeouts): StoreLockTiming {
  const heldRead = storeCallBoundMs(storeTimeoutsMs, 'get', 'held', Infinity);
  const write = storeCallBoundMs(storeTimeoutsMs, 'set', 'lock');
  return { leaseMs: 1_500, waitMs: heldRead + exchangeMs + write, pollIntervalMs: 1_000 };
}

/**
 * The timing for an exchange and store calls with the default bounds: a 122-second wait (a 10 s
 * held read, a 110 s exchange, a 2 s write).
 */
export const DEFAULT_STORE_LOCK_TIMING: Readonly<StoreLockTiming> = Object.freeze(
  storeLockTiming(DEFAULT_ACQUISITION_TIMEOUT_MS, storeTimeouts(DEFAULT_STORE_TIMEOUT_MS)),
);

/** The largest share of `waitMs` added at random to one waiter's deadline. */
export const WAIT_STAGGER = 0.25;

/** What the lock protocol uses of a store: its lock and, optionally, its wake-ups. */
export type LockingStore = Required<Pick<TokenStore, 'lock'>> & Pick<TokenStore, 'waitForUnlock'>;

/** What {@link underStoreLock} needs. */
export interface StoreLockOptions<T> extends StoreLockTiming {
  store: LockingStore;
  key: string;
  /**
   * A fresh token from the store, or `undefined`. `holding` is `true` for the holder's read right
   * after the lock was granted (the store just answered: busy, not down), `false` for a waiter's.
   */
  readFresh: (holding: boolean) => Promise<T | undefined>;
  /** Exchanges a token and writes it to the store. */
  produce: () => Promise<T>;
  /** Told when the lock could not be decided (the store failed); the caller then produces on its own. */
  onLockError?: (error: unknown) => void;
  /** Draws the deadline stagger, a number in [0, 1). Default is `Math.random`. */
  random?: () => number;
  /** Times the wait (monotonic), the polls and the lease extensions (unref'd timers). Default is {@link systemClock}. */
  clock?: Clock;
}

/**
 * Cross-process single flight through a store's leased lock (see {@link TokenStore.lock}).
 *
 * The holder reads the store once more and produces a token only if it still finds none, extending
 * its lease while it works (an unref'd timer, stopped on every outcome). A caller that finds the
 * lock taken waits to be woken (the holder wrote or released, or its lease lapsed), reads the
 * store, and tries the lock again: when a dead holder's lease lapses, the waiters compete for it
 * and one wins. Past its staggered deadline a waiter produces on its own rather than hang. A store
 * that fails to decide the lock means producing at once: the lock only saves exchanges, it never
 * guards correctness. A store whose `lock` is not a function, answers no promise, or rejects with
 * a TypeError (the guarded store's word for a lease that is none) is a programming error and
 * throws, never "fails open".
 */
export async function underStoreLock<T>(options: StoreLockOptions<T>): Promise<T> {
  const { store, key, leaseMs, readFresh, produce, clock = systemClock } = options;
  // Monotonic: a wall-clock step neither stretches nor cuts the wait for a holder.
  const deadline = clock.monotonic() + options.waitMs * (1 + WAIT_STAGGER * (options.random ?? Math.random)());
  for (;;) {
    const pending: unknown = store.lock(key, leaseMs);
    if (!isThenable(pending)) throw new TypeError('"store.lock" must answer a promise');
    let lease: StoreLease | undefined;
    try {
      lease = (await pending) as StoreLease | undefined;
    } catch (error) {
      // A broken contract (the guarded store's TypeError for a lease that is none) is thrown; a
      // store that failed (an Error) only costs this process its own exchange.
      if (error instanceof TypeError) throw error;
      options.onLockError?.(error);
      return produce();
    }
    if (lease !== undefined)
      return hold(lease, leaseMs, clock, async () => (await readFresh(true)) ?? (await produce()));
    const remaining = deadline - clock.monotonic();
    if (remaining <= 0) return produce();
    await waitForUnlock(store, key, Math.min(options.pollIntervalMs, remaining), clock);
    const fresh = await readFresh(false);
    if (fresh !== undefined) return fresh;
  }
}

/** Runs `work` while extending `lease` every third of `leaseMs`; stops extending and releases on every outcome. */
async function hold<T>(lease: StoreLease, leaseMs: number, clock: Clock, work: () => Promise<T>): Promise<T> {
  let cancel = (): void => {};
  const tick = (): void => {
    // The next tick is due a third of the lease after this one, however long the extension takes.
    cancel = clock.after(leaseMs / 3, tick);
    // Never an unhandled rejection: a lost or failed extension only means another may take over.
    Promise.resolve()
      .then(() => lease.extend(leaseMs))
      .then(
        (owned) => {
          if (!owned) stop();
        },
        () => undefined,
      );
  };
  const stop = (): void => cancel();
  cancel = clock.after(leaseMs / 3, tick);
  try {
    return await work();
  } finally {
    stop();
    try {
      await lease.release();
    } catch {
      // The lease lapses by itself.
    }
  }
}

async function waitForUnlock(store: LockingStore, key: string, timeoutMs: number, clock: Clock): Promise<void> {
  if (typeof store.waitForUnlock === 'function') {
    try {
      await store.waitForUnlock(key, timeoutMs);
      return;
    } catch {
      // The contract says it never rejects; a store that does falls back to the timer.
    }
  }
  await clock.sleep(timeoutMs);
}
