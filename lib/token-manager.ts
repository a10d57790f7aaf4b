import { systemClock, type Clock } from './clock';
import type { Exchange } from './exchange';
import type { KeyedLock } from './lock';
import { DEFAULT_STORE_LOCK_TIMING, underStoreLock, type StoreLockTiming } from './store-lock';
import { Telemetry } from './telemetry';
import { BackgroundRenewal, renewalTiming } from './refresh';
import { GuardedStore, type StorePath, type StoreTimeouts } from './stores/guarded';
import type { AccessToken, TokenStore } from './types';

/**
 * A store key that follows a credential which may change (a secret from a provider): `current()`
 * is the key for the credential last seen, `undefined` before it is known; `resolve()` learns the
 * credential (asking its provider) and answers the key.
 */
export interface CredentialBoundKey {
  current(): string | undefined;
  resolve(): Promise<string>;
}

export interface TokenManagerOptions {
  /** The store key: fixed, or following the credential (see {@link CredentialBoundKey}). */
  key: string | CredentialBoundKey;
  store: TokenStore;
  lock: KeyedLock;
  /** Performs one token exchange; `background` when no caller waits for it. */
  exchange: Exchange;
  refreshBeforeExpiryMs: number;
  /** Wall time judges freshness; monotonic time the background backoff. Default is {@link systemClock}. */
  clock?: Clock;
  /** Draws the renewal jitter, a number in [0, 1). Default is `Math.random`. */
  random?: () => number;
  /** Events and counters. Default is none. */
  telemetry?: Telemetry;
  /**
   * How a store with a cross-process lock is used: its wait must cover the exchange (see
   * `storeLockTiming`, lib/store-lock.ts). Default is `DEFAULT_STORE_LOCK_TIMING`, for an exchange
   * with the default bounds.
   */
  storeLock?: Partial<StoreLockTiming>;
  /** The bound of each store call, in milliseconds. Default is `DEFAULT_STORE_TIMEOUT_MS` for each. */
  storeTimeoutsMs?: Partial<StoreTimeouts>;
}

/**
 * Hands out tokens for one configuration: from the store while they are fresh, else through one
 * exchange per key at a time (single-flight under the key's lock), written back to the store.
 * Refresh ahead: a token in its renewal window is still handed out while one background exchange
 * renews it; only a caller with no usable token waits. The store is reached through a
 * {@link GuardedStore}: every call bounded and failing open, so a broken store costs exchanges.
 */
export class TokenManager {
  readonly #options: TokenManagerOptions;
  readonly #store: GuardedStore;
  readonly #clock: Clock;
  readonly #storeLock: StoreLockTiming;
  readonly #random: () => number;
  readonly #telemetry: Telemetry;
  readonly #background = new BackgroundRenewal();
  /** The last token judged and its timing: the warm path compares two numbers, nothing more. */
  #seen: AccessToken | undefined;
  #renewAt = 0;
  #usableUntil = 0;
  /**
   * The token last dropped by `invalidate`: never served again by this manager, even when the
   * store failed to delete it, so a silent store cannot make the 401 replay carry the same token.
   */
  #rejected: string | undefined;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#storeLock = { ...DEFAULT_STORE_LOCK_TIMING, ...options.storeLock };
    this.#random = options.random ?? Math.random;
    const telemetry = (this.#telemetry = options.telemetry ?? new Telemetry({ log: undefined }));
    this.#store = new GuardedStore(options.store, {
      clock: this.#clock,
      timeoutsMs: options.storeTimeoutsMs,
      onError: telemetry.storeFailed.bind(telemetry),
    });
  }

  /** The store key now; `undefined` only for a credential-bound key whose credential is not known yet. */
  #key(): string | undefined {
    const { key } = this.#options;
    return typeof key === 'string' ? key : key.current();
  }

  #judge(token: AccessToken): void {
    if (token === this.#seen) return;
    const timing = renewalTiming(token, this.#options.refreshBeforeExpiryMs, this.#random());
    this.#seen = token;
    const rejected = token.accessToken === this.#rejected;
    this.#renewAt = rejected ? -Infinity : timing.renewAt;
    this.#usableUntil = rejected ? -Infinity : timing.usableUntil;
  }

  /** Whether `token` needs no renewal yet (it is before its renewal window). */
  isFresh(token: AccessToken | undefined): token is AccessToken {
    if (token === undefined) return false;
    this.#judge(token);
    return this.#clock.now() < this.#renewAt;
  }

  /**
   * A usable token. Answers synchronously when the store does and holds a usable token (the warm
   * path takes no lock and allocates no promise); otherwise a promise.
   */
  acquire(): AccessToken | Promise<AccessToken> {
    const key = this.#key();
    if (key === undefined) return (this.#options.key as CredentialBoundKey).resolve().then(() => this.acquire());
    const cached = this.#store.get(key);
    if (cached instanceof Promise) return cached.then((token) => this.#serve(token, 'store'));
    return this.#serve(cached, 'memory');
  }

  #serve(token: AccessToken | undefined, source: 'memory' | 'store'): AccessToken | Promise<AccessToken> {
    if (token === undefined) return this.#wait();
    this.#judge(token);
    const now = this.#clock.now();
    if (now >= this.#renewAt) {
      if (now >= this.#usableUntil) return this.#wait();
      this.#renewInBackground(now, token);
    }
    this.#telemetry.cacheHit(source);
    return token;
  }

  /** A caller without a usable token waits for the (shared) exchange. */
  #wait(): Promise<AccessToken> {
    return this.#telemetry.waited(this.#renew({ background: false }));
  }

  /** Starts the one background renewal, unless one runs or the last one failed too recently. */
  #renewInBackground(now: number, current: AccessToken): void {
    const background = this.#background;
    const clock = this.#clock;
    // The backoff is a duration: monotonic, so a wall-clock step neither stretches nor skips it.
    if (!background.tryStart(clock.monotonic())) return;
    const telemetry = this.#telemetry;
    telemetry.renewalScheduled(current.expiresAt - now);
    // Always observed: a background failure never becomes an unhandled rejection.
    this.#renew({ background: true }).then(
      (token) => {
        // The very same token (or another already due) must not start a renewal on every request.
        if (token.accessToken !== current.accessToken && this.isFresh(token)) background.succeeded();
        else background.failed(clock.monotonic());
      },
      (error: unknown) => {
        const retryInMs = background.failed(clock.monotonic());
        telemetry.backgroundRenewalFailed(error, retryInMs);
      },
    );
  }

  /**
   * Drops the cached token. With `rejectedAccessToken`, only if the store still holds that token
   * (compare-and-delete), so a late 401 never evicts a token someone else just renewed. A delete
   * that fails is reported and skipped: the next read decides, and a stale entry costs one more 401.
   */
  invalidate(rejectedAccessToken?: string): Promise<void> {
    const { lock } = this.#options;
    const key = this.#key();
    this.#rejected = rejectedAccessToken ?? this.#seen?.accessToken;
    this.#seen = undefined;
    if (key === undefined) return Promise.resolve();
    return lock.exclusive(key, async () => {
      await this.#store.delete(key, rejectedAccessToken);
    });
  }

  /**
   * One exchange per key at a time in this process (single flight under the key's lock) and, with
   * a store that has a cross-process lock, one per key across every process sharing the store.
   */
  #renew(how: { background: boolean }): Promise<AccessToken> {
    const { lock } = this.#options;
    // Known here: acquire() resolved a credential-bound key before it got this far.
    const key = this.#key()!;
    const store = this.#store;
    return lock.singleFlight(key, async () => {
      // Another installation sharing this store may have renewed while we queued for the lock.
      const current = await this.#readFresh();
      if (current !== undefined) return current;
      if (!store.hasLock) return this.#exchangeAndStore(how);
      return underStoreLock({
        ...this.#storeLock,
        // The guarded store: its lock calls and leases are bounded in time.
        store,
        key,
        clock: this.#clock,
        // Stryker disable next-line StringLiteral: "" is no StorePath, so the mutant does not compile (Stryker runs no type checker)
        readFresh: (holding) => this.#readFresh(holding ? 'held' : 'lock'),
        produce: () => this.#exchangeAndStore(how),
      });
    });
  }

  /** Reads on the way to an exchange: with a cross-process lock, a late answer is busy, not down. */
  // Stryker disable next-line StringLiteral: "" is no StorePath, so the mutant does not compile (Stryker runs no type checker)
  async #readFresh(path: StorePath = this.#store.hasLock ? 'lock' : 'direct'): Promise<AccessToken | undefined> {
    const current = await this.#store.get(this.#key()!, path);
    return this.isFresh(current) ? current : undefined;
  }

  async #exchangeAndStore(how: { background: boolean }): Promise<AccessToken> {
    const token = await this.#options.exchange(how);
    // After the exchange: a provider-backed secret that rotated during it moves the token to the
    // new secret's entry.
    const key = this.#key()!;
    // A write that fails is skipped: the caller still gets its token; the next caller exchanges again.
    const store = this.#store;
    // Stryker disable next-line StringLiteral: "" is no StorePath, so the mutant does not compile (Stryker runs no type checker)
    await store.set(key, token, token.expiresAt - this.#clock.now(), store.hasLock ? 'lock' : 'direct');
    return token;
  }
}
