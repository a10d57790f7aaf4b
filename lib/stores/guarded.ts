import { systemClock, type Clock } from '../clock';
import { isThenable } from '../thenable';
import type { AccessToken, StoreLease, TokenStore } from '../types';

/** A {@link TokenStore} method, as store errors name it. */
export type StoreOperation = 'get' | 'set' | 'delete' | 'lock';

/**
 * How long the token manager waits for one store call before it treats the store as failed for
 * that call, in milliseconds: 500. Above the Redis store's own 300 ms operation timeout, so a store
 * with its own bound reports its own error first; far below a token request's 30 s, so a store that
 * never answers costs an API call half a second, never a hang.
 */
export const DEFAULT_STORE_TIMEOUT_MS = 500;

/**
 * How long a lock call (taking, extending or releasing a lease) may take at least, in
 * milliseconds: 10000. Longer than reads and writes because a lock command that answers late is
 * not a failure (issue 12: failing open on a slow lock costs the fleet extra exchanges); above the
 * Redis store's own 5 s `lockTimeoutMs`, so it reports its own error first.
 */
export const DEFAULT_STORE_LOCK_TIMEOUT_MS = 10_000;

/** The bound of each store operation, in milliseconds. `lock` is separate: a lock protocol may need longer. */
export type StoreTimeouts = Readonly<Record<StoreOperation, number>>;

/**
 * The bounds for a `storeTimeoutMs` option: reads, writes and deletes get it; the lock at least
 * {@link DEFAULT_STORE_LOCK_TIMEOUT_MS}, as a lock command that answers late is not a failure (the
 * Redis store itself waits up to 5 s for one).
 */
export function storeTimeouts(storeTimeoutMs: number): StoreTimeouts {
  const t = storeTimeoutMs;
  return { get: t, set: t, delete: t, lock: Math.max(t, DEFAULT_STORE_LOCK_TIMEOUT_MS) };
}

/**
 * How many times its usual bound a read or write on the lock path may take: 4 (2 s by default).
 * Long enough for a busy Redis to answer, short enough that a store that never answers costs a
 * cold call seconds, not the lock's 10 s per read.
 */
const LOCK_PATH_FACTOR = 4;

/**
 * Where a read or write happens: `'direct'` (the warm path, a 401's compare-and-delete) or
 * `'lock'`, on the way to an exchange with a cross-process lock, where a store that answers late
 * is busy, not down (a Redis store waits as long for those as for its lock): such a call gets a longer
 * bound (four times its own), so a slow read does not turn a fleet's one exchange into one per process.
 * `'held'` is the lock holder's read right after the store granted it the lock: it gets the lock
 * path's bound or four times what the grant took, whichever is longer (at most the lock's bound).
 * A store that took its time to grant is busy, and giving up on its read sooner makes the holder
 * exchange while the token another process wrote is on its way (one extra exchange per starved
 * holder on a busy Redis); a store whose reads hang but whose lock answers at once costs no more.
 */
export type StorePath = 'direct' | 'lock' | 'held';

/**
 * How long one store call on `path` may take, in milliseconds (see {@link StorePath}); for a
 * `'held'` read, `grantedInMs` is how long the store took to grant the lock.
 */
export function storeCallBoundMs(
  timeouts: StoreTimeouts,
  operation: StoreOperation,
  path: StorePath,
  grantedInMs = 0,
): number {
  const own = timeouts[operation] * (path === 'direct' ? 1 : LOCK_PATH_FACTOR);
  return path === 'held' ? Math.max(own, Math.min(grantedInMs * LOCK_PATH_FACTOR, timeouts.lock)) : own;
}

/** A store call that did not settle within its bound. Carries no key, token or store detail. */
export class StoreTimeoutError extends Error {
  override readonly name = 'StoreTimeoutError';
  /** Always `'STORE_TIMEOUT'`. */
  readonly code = 'STORE_TIMEOUT';
  /**
   * @param operation The store method that did not answer.
   * @param timeoutMs Its bound, in milliseconds.
   */
  constructor(operation: StoreOperation, timeoutMs: number) {
    super(`token store "${operation}" did not answer within ${timeoutMs} ms`);
  }
}

function isLease(value: unknown): value is StoreLease {
  const lease = value as Partial<StoreLease> | null;
  return (
    typeof lease === 'object' &&
    lease !== null &&
    typeof lease.extend === 'function' &&
    typeof lease.release === 'function'
  );
}

/** What {@link GuardedStore} needs besides the store. */
export interface GuardedStoreOptions {
  /** Per-operation bounds in milliseconds. Default is {@link DEFAULT_STORE_TIMEOUT_MS} for each. */
  timeoutsMs?: Partial<StoreTimeouts> | undefined;
  /** Runs the timeout timers (unref'd). Default is {@link systemClock}. */
  clock?: Clock;
  /** Told of every failed or timed-out call; the call itself then carries on without the store. */
  onError: (operation: StoreOperation, error: unknown) => void;
}

/**
 * A store decorator for policy (issue 11): each call is bounded in time and fails open, so a
 * broken or silent store costs token exchanges, never API calls (Duende's distributed cache is
 * used the same way: a cache failure is logged and the token fetched). A read that fails is a
 * miss, a write that fails is skipped, a delete that fails deleted nothing; each is reported.
 * A store that answers synchronously is answered synchronously: no promise, no timer.
 */
export class GuardedStore {
  readonly #store: TokenStore;
  readonly #timeouts: StoreTimeouts;
  readonly #clock: Clock;
  readonly #onError: GuardedStoreOptions['onError'];
  /** How long the store took to grant each key's lock, in milliseconds, until the holder's read uses it. */
  readonly #grantedInMs = new Map<string, number>();

  constructor(store: TokenStore, options: GuardedStoreOptions) {
    const fallback = DEFAULT_STORE_TIMEOUT_MS;
    const t = options.timeoutsMs ?? {};
    this.#store = store;
    this.#timeouts = {
      get: t.get ?? fallback,
      set: t.set ?? fallback,
      delete: t.delete ?? fallback,
      lock: t.lock ?? fallback,
    };
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError;
  }

  /** The stored token, or `undefined` when there is none or the store failed. Never rejects. */
  get(key: string, path: StorePath = 'direct'): AccessToken | undefined | Promise<AccessToken | undefined> {
    let answer: ReturnType<TokenStore['get']>;
    try {
      answer = this.#store.get(key);
    } catch (error) {
      this.#onError('get', error);
      return undefined;
    }
    if (!isThenable(answer)) return answer;
    let grantedInMs = 0;
    if (path === 'held') {
      grantedInMs = this.#grantedInMs.get(key) ?? 0;
      this.#grantedInMs.delete(key);
    }
    return this.#bounded('get', answer, undefined, undefined, path, grantedInMs);
  }

  /** Writes the token; a failure skips the write. Never rejects. */
  set(key: string, token: AccessToken, ttlMs: number, path: StorePath = 'direct'): void | Promise<void> {
    let answer: ReturnType<TokenStore['set']>;
    try {
      answer = this.#store.set(key, token, ttlMs);
    } catch (error) {
      this.#onError('set', error);
      return;
    }
    if (isThenable(answer)) return this.#bounded('set', answer, undefined, undefined, path);
  }

  /** Deletes (compare-and-delete with `accessToken`); answers `false` when the store failed. Never rejects. */
  delete(key: string, accessToken?: string): boolean | Promise<boolean> {
    let answer: ReturnType<TokenStore['delete']>;
    try {
      answer = this.#store.delete(key, accessToken);
    } catch (error) {
      this.#onError('delete', error);
      return false;
    }
    return isThenable(answer) ? this.#bounded('delete', answer, false) : answer;
  }

  /** Whether the store has a cross-process lock. */
  get hasLock(): boolean {
    return typeof this.#store.lock === 'function';
  }

  /**
   * The store's leased lock (see {@link TokenStore.lock}), bounded by the `lock` timeout. Rejects
   * when the lock cannot be decided (the store failed or did not answer in time), so the lock
   * protocol exchanges on its own; a grant that arrives too late is released at once. The lease it
   * answers is bounded too and never rejects. A `lock` that answers no promise, or a promise of
   * anything but a lease or `undefined`, is a programming error: a TypeError, never "failing open".
   */
  lock(key: string, leaseMs: number): Promise<StoreLease | undefined> {
    const store = this.#store;
    if (typeof store.lock !== 'function') throw new TypeError('"store.lock" must be a function');
    let answer: unknown;
    try {
      answer = store.lock(key, leaseMs);
    } catch (error) {
      answer = Promise.reject(error instanceof Error ? error : new Error('token store lock() failed'));
    }
    if (!isThenable(answer)) throw new TypeError('"store.lock" must answer a promise');
    const failed = Symbol('failed');
    const late = (lease: StoreLease | undefined | typeof failed): void => {
      if (typeof lease === 'object') void this.#guardLease(lease).release();
    };
    const pending = answer as PromiseLike<StoreLease | undefined>;
    const asked = this.#clock.monotonic();
    return this.#bounded<StoreLease | undefined | typeof failed>('lock', pending, failed, late).then((lease) => {
      if (lease === failed) throw new Error('token store "lock" failed or did not answer in time');
      if (lease === undefined) return undefined;
      // A store on the old contract (a release function) or any other non-lease is a programming
      // error: it would be "extended" and "released" as failures forever, never freed.
      if (!isLease(lease)) throw new TypeError('"store.lock" must answer a lease ({ extend, release }) or undefined');
      this.#grantedInMs.set(key, this.#clock.monotonic() - asked);
      return this.#guardLease(lease);
    });
  }

  /**
   * Resolves when the store says the lock on `key` was released (or its holder wrote a token), at
   * the latest after `timeoutMs`. A store without `waitForUnlock` (or one that fails) is polled:
   * this then just sleeps `timeoutMs`.
   */
  async waitForUnlock(key: string, timeoutMs: number): Promise<void> {
    const store = this.#store;
    if (typeof store.waitForUnlock === 'function') {
      try {
        const woken = Promise.resolve(store.waitForUnlock(key, timeoutMs));
        // The contract bounds it by `timeoutMs`; the guard holds a store that forgets to.
        await Promise.race([woken.catch(() => undefined), this.#clock.sleep(timeoutMs)]);
        return;
      } catch {
        // Falls back to the timer.
      }
    }
    await this.#clock.sleep(timeoutMs);
  }

  #guardLease(lease: StoreLease): StoreLease {
    const call = <T>(run: () => T | PromiseLike<T>, fallback: T): Promise<T> => {
      let answer: T | PromiseLike<T>;
      try {
        answer = run();
      } catch (error) {
        this.#onError('lock', error);
        return Promise.resolve(fallback);
      }
      return isThenable(answer) ? this.#bounded('lock', answer, fallback) : Promise.resolve(answer);
    };
    return {
      // A lost or slow extension is not proof the lease is gone: keep trying; the store's owner
      // check answers false once it really is.
      extend: (ms) => call(() => lease.extend(ms), true),
      // The lease lapses by itself: a release that fails or hangs frees it late, no more.
      release: () => call(() => lease.release(), undefined),
    };
  }

  /**
   * `pending`'s value, or `fallback` once it fails or outlives its bound (reported either way).
   * A value that arrives after the bound goes to `late`; a late rejection is observed, never unhandled.
   */
  #bounded<T>(
    operation: StoreOperation,
    pending: PromiseLike<T>,
    fallback: T,
    late?: (value: T) => void,
    path: StorePath = 'direct',
    grantedInMs = 0,
  ): Promise<T> {
    const timeoutMs = storeCallBoundMs(this.#timeouts, operation, path, grantedInMs);
    return new Promise<T>((resolve) => {
      let settled = false;
      const cancel = this.#clock.after(timeoutMs, () => {
        settled = true;
        this.#onError(operation, new StoreTimeoutError(operation, timeoutMs));
        resolve(fallback);
      });
      pending.then(
        (value) => {
          if (settled) return late?.(value);
          settled = true;
          cancel();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          cancel();
          this.#onError(operation, error);
          resolve(fallback);
        },
      );
    });
  }
}
