import type { ClientCredentialsStats } from './events';
import type { TokenParameters } from './token-parameters';

/**
 * A token's type as sent in the Authorization header: `Bearer` (RFC 6750), or `DPoP` for a token
 * bound to the installation's DPoP key (RFC 9449 §5).
 */
export type TokenType = 'Bearer' | 'DPoP';

/** An access token as the library hands it out and keeps it in a {@link TokenStore}. */
export interface AccessToken {
  /** The `access_token` value. A bearer credential: never log it. */
  accessToken: string;
  /**
   * The token type as sent in the Authorization header, normalised: `Bearer`, or `DPoP` for a token
   * bound to the installation's DPoP key (RFC 9449 §5), which is only usable with that key.
   */
  tokenType: TokenType;
  /** When the token expires, in epoch milliseconds, counted from when the request was sent. */
  expiresAt: number;
  /** When the token request was sent, in epoch milliseconds. Used to size the renewal window. */
  issuedAt: number;
  /**
   * When to start renewing, in epoch milliseconds, when the server sent a `refresh_in` hint (in
   * seconds) shorter than the lifetime. Default is none: the renewal window decides.
   */
  refreshAt?: number;
  /**
   * The scope granted. When the server omits `scope`, this is the scope that was requested, as
   * RFC 6749 §5.1 says an omitted scope is identical to the requested one.
   */
  scope?: string;
}

/**
 * Where tokens are kept between requests. One store may serve many installations: entries are
 * keyed by a digest of everything that changes which token you get, never by a secret.
 *
 * Every method may answer synchronously or with a promise. A store that answers `get`
 * synchronously keeps the warm path free of promise hops. A store that fails should throw or
 * reject: the caller then carries on without it (fail open), so a broken store costs token
 * exchanges, never API calls. A call that takes longer than the `storeTimeoutMs` option counts as
 * failed the same way (a miss, a skipped write), so a store that never answers hangs nothing.
 *
 * A store shared by several processes (see `RedisTokenStore` in `axios-client-credentials/redis`)
 * also implements {@link TokenStore.lock}, so that the processes make one exchange between them.
 */
export interface TokenStore {
  /** The token stored under `key`, or `undefined`. Expired entries may be returned; freshness is the caller's business. */
  get(key: string): AccessToken | undefined | Promise<AccessToken | undefined>;
  /** Stores `token` under `key` for `ttlMs` milliseconds (the time left until it expires). */
  set(key: string, token: AccessToken, ttlMs: number): void | Promise<void>;
  /**
   * Deletes the entry under `key`. With `accessToken`, deletes it only if the stored token is still
   * that one (compare-and-delete), so a late 401 never evicts a newer token. Answers whether an
   * entry was deleted.
   */
  delete(key: string, accessToken?: string): boolean | Promise<boolean>;
  /**
   * Optional: a leased lock on `key` shared by every process that uses the store, so a fleet makes
   * one token exchange instead of one per process. The token manager calls it inside its in-process
   * single flight, only after reading the store and finding no fresh token.
   *
   * - Answers a {@link StoreLease} when this caller now holds the lock. The caller reads the store
   *   once more, exchanges only if it still finds no fresh token, writes the store, then releases.
   *   While its exchange runs it extends the lease every third of `leaseMs`, so a live holder keeps
   *   the lock however long the token endpoint takes, and a dead one's lease lapses within `leaseMs`.
   * - Answers `undefined` when another holder has the lock: the caller waits (see
   *   {@link TokenStore.waitForUnlock}), reads the store, tries the lock again, and past a bound
   *   exchanges on its own.
   * - Rejects when the lock cannot be decided (store unreachable or failing): the caller exchanges
   *   on its own. A lock that answers late is not a failure: wait for it.
   *
   * The lock only saves exchanges, it never guards correctness: two holders at once cost one extra
   * exchange, nothing else.
   *
   * A store that keeps a copy in front of the shared state must let the `get` calls that follow a
   * `lock` call (granted or not) see what other processes wrote: the caller asks for the lock only
   * because the token it read was not fresh enough. A store used by one process needs no lock.
   *
   * @param key The store key, as for `get`.
   * @param leaseMs How long the lease lives unless extended or released, in milliseconds.
   */
  lock?(key: string, leaseMs: number): Promise<StoreLease | undefined>;
  /**
   * Optional, with `lock`: resolves as soon as the holder of `key`'s lock wrote a token or released
   * the lock, or its lease lapsed, and at the latest after `timeoutMs` milliseconds. Never rejects.
   * Without it, a caller waiting for a holder reads the store every `timeoutMs`.
   */
  waitForUnlock?(key: string, timeoutMs: number): Promise<void>;
}

/** A held {@link TokenStore.lock}: extended by its holder while it works, released when done. */
export interface StoreLease {
  /** Makes the lease last `leaseMs` milliseconds from now while this holder still owns it; answers whether it does. */
  extend(leaseMs: number): Promise<boolean>;
  /** Frees the lock while this holder still owns it (compare-and-delete) and wakes the waiters. */
  release(): Promise<void>;
}

/** What {@link installClientCredentials} returns. */
export interface ClientCredentialsHandle {
  /**
   * A fresh token for this configuration: from the store when one is cached, else from the token
   * endpoint. With `tokenParameters`, the token for those parameters, as a request with the same
   * `tokenParameters` gets. Default is the installation's own parameters.
   *
   * @throws {TypeError} (as a rejection) When `tokenParameters` is invalid.
   */
  getToken(tokenParameters?: TokenParameters): Promise<AccessToken>;
  /** A snapshot of this installation's counters since it was installed. */
  stats(): ClientCredentialsStats;
  /**
   * Drops this configuration's cached token, so the next request makes a new token exchange. With
   * `tokenParameters`, only the token of those parameters. Default is the installation's own.
   */
  invalidate(tokenParameters?: TokenParameters): Promise<void>;
  /** Removes both interceptors from the instance. Requests made afterwards carry no token. */
  eject(): void;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Send this request without an access token (axios-client-credentials). Default is `false`. */
    skipAuth?: boolean | undefined;
    /**
     * Token parameters for this request (axios-client-credentials): `scope`, `resource` and
     * `audience` override the installation's options for this request only. Each distinct set is
     * its own cached token with its own exchange and its own 401 renewal. Invalid parameters
     * reject the request with a TypeError before it is sent. Default is the installation's options.
     */
    tokenParameters?: TokenParameters | undefined;
  }
}
