/** An access token as the library hands it out and keeps it in a {@link TokenStore}. */
export interface AccessToken {
  /** The `access_token` value. A bearer credential: never log it. */
  accessToken: string;
  /** The token type as sent in the Authorization header, normalised (`Bearer`). */
  tokenType: string;
  /** When the token expires, in epoch milliseconds, counted from when the request was sent. */
  expiresAt: number;
  /** When the token request was sent, in epoch milliseconds. Used to size the renewal window. */
  issuedAt: number;
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
 * synchronously keeps the warm path free of promise hops.
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
}

/** What {@link installClientCredentials} returns. */
export interface ClientCredentialsHandle {
  /** A fresh token for this configuration: from the store when one is cached, else from the token endpoint. */
  getToken(): Promise<AccessToken>;
  /** Drops this configuration's cached token, so the next request makes a new token exchange. */
  invalidate(): Promise<void>;
  /** Removes both interceptors from the instance. Requests made afterwards carry no token. */
  eject(): void;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Send this request without an access token (axios-client-credentials). Default is `false`. */
    skipAuth?: boolean;
  }
}
