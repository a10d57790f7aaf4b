import { summarize, Telemetry } from './events';
import type { KeyedLock } from './lock';
import { DEFAULT_STORE_LOCK_TIMING, underStoreLock, type LockingStore, type StoreLockTiming } from './store-lock';
import { BackgroundRenewal, renewalTiming } from './refresh';
import type { AccessToken, TokenStore } from './types';

export interface TokenManagerOptions {
  key: string;
  store: TokenStore;
  lock: KeyedLock;
  /** Performs one token exchange; `background` when no caller waits for it. */
  exchange: (background: boolean) => Promise<AccessToken>;
  refreshBeforeExpiryMs: number;
  now: () => number;
  /** Draws the renewal jitter, a number in [0, 1). Default is `Math.random`. */
  random?: () => number;
  /** Events and counters. Default is none. */
  telemetry?: Telemetry;
  /** How a store with a cross-process lock is used. Default is `DEFAULT_STORE_LOCK_TIMING` (lib/store-lock.ts). */
  storeLock?: Partial<StoreLockTiming>;
}

function hasLock(store: TokenStore): store is LockingStore {
  return typeof store.lock === 'function';
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/**
 * Hands out tokens for one configuration: from the store while they are fresh, else through one
 * exchange per key at a time (single-flight under the key's lock), written back to the store.
 * Refresh ahead: a token in its renewal window is still handed out while one background exchange
 * renews it; only a caller with no usable token waits.
 */
export class TokenManager {
  readonly #options: TokenManagerOptions;
  readonly #storeLock: StoreLockTiming;
  readonly #random: () => number;
  readonly #telemetry: Telemetry;
  readonly #background = new BackgroundRenewal();
  /** The last token judged and its timing: the warm path compares two numbers, nothing more. */
  #seen: AccessToken | undefined;
  #renewAt = 0;
  #usableUntil = 0;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#storeLock = { ...DEFAULT_STORE_LOCK_TIMING, ...options.storeLock };
    this.#random = options.random ?? Math.random;
    this.#telemetry = options.telemetry ?? new Telemetry(undefined);
  }

  #judge(token: AccessToken): void {
    if (token === this.#seen) return;
    const timing = renewalTiming(token, this.#options.refreshBeforeExpiryMs, this.#random());
    this.#seen = token;
    this.#renewAt = timing.renewAt;
    this.#usableUntil = timing.usableUntil;
  }

  /** Whether `token` needs no renewal yet (it is before its renewal window). */
  isFresh(token: AccessToken | undefined): token is AccessToken {
    if (token === undefined) return false;
    this.#judge(token);
    return this.#options.now() < this.#renewAt;
  }

  /**
   * A usable token. Answers synchronously when the store does and holds a usable token (the warm
   * path takes no lock and allocates no promise); otherwise a promise.
   */
  acquire(): AccessToken | Promise<AccessToken> {
    const { store, key } = this.#options;
    let cached: AccessToken | undefined | PromiseLike<AccessToken | undefined>;
    try {
      cached = store.get(key);
    } catch (error) {
      // Fail open: a store that cannot be read is treated as empty.
      this.#storeError('get', error);
      return this.#wait();
    }
    if (isThenable(cached)) {
      return Promise.resolve(cached).then(
        (token) => this.#serve(token, 'store'),
        (error: unknown) => {
          this.#storeError('get', error);
          return this.#wait();
        },
      );
    }
    return this.#serve(cached, 'memory');
  }

  #serve(token: AccessToken | undefined, source: 'memory' | 'store'): AccessToken | Promise<AccessToken> {
    if (token === undefined) return this.#wait();
    this.#judge(token);
    const now = this.#options.now();
    if (now >= this.#renewAt) {
      if (now >= this.#usableUntil) return this.#wait();
      this.#renewInBackground(now, token);
    }
    const telemetry = this.#telemetry;
    telemetry.stats.cacheHits += 1;
    if (telemetry.listening) telemetry.emit({ type: 'token_acquired', source, expiresInMs: token.expiresAt - now });
    return token;
  }

  /** A caller without a usable token waits for the (shared) exchange. */
  #wait(): Promise<AccessToken> {
    const telemetry = this.#telemetry;
    telemetry.stats.waits += 1;
    if (!telemetry.listening) return this.#renew(false);
    telemetry.emit({ type: 'lock_wait' });
    return this.#renew(false).then((token) => {
      telemetry.emit({ type: 'token_acquired', source: 'network', expiresInMs: token.expiresAt - this.#options.now() });
      return token;
    });
  }

  /** Starts the one background renewal, unless one runs or the last one failed too recently. */
  #renewInBackground(now: number, current: AccessToken): void {
    if (!this.#background.tryStart(now)) return;
    const telemetry = this.#telemetry;
    telemetry.stats.backgroundRenewals += 1;
    telemetry.emit({ type: 'renewal_scheduled', expiresInMs: current.expiresAt - now });
    // Always observed: a background failure never becomes an unhandled rejection.
    this.#renew(true).then(
      (token) => {
        // The very same token (or another already due) must not start a renewal on every request.
        if (token.accessToken !== current.accessToken && this.isFresh(token)) this.#background.succeeded();
        else this.#background.failed(this.#options.now());
      },
      (error: unknown) => {
        const retryInMs = this.#background.failed(this.#options.now());
        telemetry.emit({ type: 'background_renewal_failed', error: summarize(error), retryInMs });
      },
    );
  }

  #storeError(operation: 'get' | 'set' | 'delete', error: unknown): void {
    this.#telemetry.emit({ type: 'store_error', operation, error: summarize(error) });
  }

  /**
   * Drops the cached token. With `rejectedAccessToken`, only if the store still holds that token
   * (compare-and-delete), so a late 401 never evicts a token someone else just renewed.
   */
  invalidate(rejectedAccessToken?: string): Promise<void> {
    const { store, key, lock } = this.#options;
    return lock.exclusive(key, async () => {
      try {
        await store.delete(key, rejectedAccessToken);
      } catch (error) {
        this.#storeError('delete', error);
        // Fail open: the next read decides; a stale entry only costs one more 401 and replay.
      }
    });
  }

  /**
   * One exchange per key at a time in this process (single flight under the key's lock) and, with
   * a store that has a cross-process lock, one per key across every process sharing the store.
   */
  #renew(background: boolean): Promise<AccessToken> {
    const { store, key, lock } = this.#options;
    return lock.singleFlight(key, async () => {
      // Another installation sharing this store may have renewed while we queued for the lock.
      const current = await this.#readFresh();
      if (current !== undefined) return current;
      if (!hasLock(store)) return this.#exchangeAndStore(background);
      return underStoreLock({
        ...this.#storeLock,
        store,
        key,
        readFresh: () => this.#readFresh(),
        produce: () => this.#exchangeAndStore(background),
      });
    });
  }

  async #readFresh(): Promise<AccessToken | undefined> {
    let current: AccessToken | undefined;
    try {
      current = await this.#options.store.get(this.#options.key);
    } catch (error) {
      this.#storeError('get', error);
      return undefined;
    }
    return this.isFresh(current) ? current : undefined;
  }

  async #exchangeAndStore(background: boolean): Promise<AccessToken> {
    const { store, key, now } = this.#options;
    const token = await this.#options.exchange(background);
    try {
      await store.set(key, token, token.expiresAt - now());
    } catch (error) {
      this.#storeError('set', error);
      // Fail open: the caller still gets its token; the next caller exchanges again.
    }
    return token;
  }
}
