import { createHash } from 'node:crypto';
import { underStoreLock, type KeyedLock, type StoreLockTiming } from './lock';
import type { AccessToken, TokenStore } from './types';

/** What identifies a token: everything that changes which token the token endpoint hands out. */
export interface CacheKeyParts {
  tokenUrl: string;
  clientId: string;
  clientAuthMethod: string;
  scopes: readonly string[];
  resources: readonly string[];
  audience: string | undefined;
  extraParams: Readonly<Record<string, string>>;
}

/**
 * The store key for a configuration: a SHA-256 digest of its parts in canonical form (scopes and
 * resources sorted and de-duplicated, extra parameters sorted by name). Secrets are not part of
 * it: a secret does not change which token you get, and a key may be visible to whoever reads the
 * store.
 */
export function cacheKey(parts: CacheKeyParts): string {
  const canonical = JSON.stringify([
    'v1',
    parts.tokenUrl,
    parts.clientId,
    parts.clientAuthMethod,
    [...new Set(parts.scopes)].sort(),
    [...new Set(parts.resources)].sort(),
    parts.audience ?? null,
    Object.entries(parts.extraParams).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);
  return `axios-client-credentials:${createHash('sha256').update(canonical).digest('base64url')}`;
}

/**
 * How long before expiry a token is renewed, in milliseconds: the configured window, clamped to
 * half the token's lifetime so a short-lived token (say 60 seconds against a 30-second window) is
 * still used for half its life instead of being "always expired".
 */
export function renewalWindowMs(token: AccessToken, refreshBeforeExpiryMs: number): number {
  const lifetime = token.expiresAt - token.issuedAt;
  return Math.max(0, Math.min(refreshBeforeExpiryMs, lifetime / 2));
}

export interface TokenManagerOptions {
  key: string;
  store: TokenStore;
  lock: KeyedLock;
  /** Performs one token exchange. */
  exchange: () => Promise<AccessToken>;
  refreshBeforeExpiryMs: number;
  now: () => number;
  /** How a store with a cross-process lock is used. Default is {@link DEFAULT_STORE_LOCK_TIMING}. */
  storeLock?: Partial<StoreLockTiming>;
}

/**
 * The default use of a store's cross-process lock: it lives 35 seconds, longer than the default
 * 30-second token request timeout, so a live holder has its answer before the lock can expire; a
 * caller that finds it taken polls every 50 milliseconds and waits as long as the lock lives (by
 * then a live holder has answered and a dead holder's lock has expired and been taken over).
 */
export const DEFAULT_STORE_LOCK_TIMING: Readonly<StoreLockTiming> = Object.freeze({
  ttlMs: 35_000,
  waitMs: 35_000,
  pollIntervalMs: 50,
});

type LockingStore = TokenStore & Required<Pick<TokenStore, 'lock'>>;

function hasLock(store: TokenStore): store is LockingStore {
  return typeof store.lock === 'function';
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/**
 * Hands out tokens for one configuration: from the store while they are fresh, else through one
 * exchange per key at a time (single-flight under the key's lock), written back to the store.
 */
export class TokenManager {
  readonly #options: TokenManagerOptions;
  readonly #storeLock: StoreLockTiming;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#storeLock = { ...DEFAULT_STORE_LOCK_TIMING, ...options.storeLock };
  }

  isFresh(token: AccessToken | undefined): token is AccessToken {
    if (token === undefined) return false;
    const { refreshBeforeExpiryMs, now } = this.#options;
    return now() < token.expiresAt - renewalWindowMs(token, refreshBeforeExpiryMs);
  }

  /**
   * A fresh token. Answers synchronously when the store does and holds a fresh token (the warm
   * path takes no lock and allocates no promise); otherwise a promise.
   */
  acquire(): AccessToken | Promise<AccessToken> {
    const { store, key } = this.#options;
    let cached: AccessToken | undefined | PromiseLike<AccessToken | undefined>;
    try {
      cached = store.get(key);
    } catch {
      // Fail open: a store that cannot be read is treated as empty.
      return this.#renew();
    }
    if (isThenable(cached)) {
      return Promise.resolve(cached).then(
        (token) => (this.isFresh(token) ? token : this.#renew()),
        () => this.#renew(),
      );
    }
    return this.isFresh(cached) ? cached : this.#renew();
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
      } catch {
        // Fail open: the next read decides; a stale entry only costs one more 401 and replay.
      }
    });
  }

  /**
   * One exchange per key at a time in this process (single flight under the key's lock) and, with
   * a store that has a cross-process lock, one per key across every process sharing the store.
   */
  #renew(): Promise<AccessToken> {
    const { store, key, lock } = this.#options;
    return lock.singleFlight(key, async () => {
      // Another installation sharing this store may have renewed while we queued for the lock.
      const current = await this.#readFresh();
      if (current !== undefined) return current;
      if (!hasLock(store)) return this.#exchangeAndStore();
      return underStoreLock(
        (lockKey, ttlMs) => store.lock(lockKey, ttlMs),
        key,
        this.#storeLock,
        () => this.#readFresh(),
        () => this.#exchangeAndStore(),
      );
    });
  }

  async #readFresh(): Promise<AccessToken | undefined> {
    let current: AccessToken | undefined;
    try {
      current = await this.#options.store.get(this.#options.key);
    } catch {
      return undefined;
    }
    return this.isFresh(current) ? current : undefined;
  }

  async #exchangeAndStore(): Promise<AccessToken> {
    const { store, key, now } = this.#options;
    const token = await this.#options.exchange();
    try {
      await store.set(key, token, token.expiresAt - now());
    } catch {
      // Fail open: the caller still gets its token; the next caller exchanges again.
    }
    return token;
  }
}
