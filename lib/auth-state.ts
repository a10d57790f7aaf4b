import type { InternalAxiosRequestConfig } from 'axios';
import type { TokenManager } from './token-manager';
import type { AccessToken } from './types';

/**
 * Per-request state lives under a string key: axios 1.x drops symbol keys when it merges configs,
 * and the 401 replay goes back through `instance.request()`, which merges.
 */
export const STATE_KEY = 'axios-client-credentials';

/**
 * Which token a request carried, from which manager (its parameter set's, so the 401 replay renews
 * that entry and no other), and whether it was sent again. Immutable, so the warm path shares one
 * per token instead of allocating one per request; sending a request again gives it a new one.
 * The token stays in a private field, out of `util.inspect` and `JSON.stringify`.
 */
export class AuthState {
  readonly #token: AccessToken;
  readonly manager: TokenManager;
  /** Whether the request was replayed with a renewed token. */
  readonly replayed: boolean;
  /** Whether the request was sent again with the same token, as the scheme asked (DPoP's nonce). */
  readonly retriedSameToken: boolean;
  constructor(token: AccessToken, manager: TokenManager, replayed = false, retriedSameToken = false) {
    this.#token = token;
    this.manager = manager;
    this.replayed = replayed;
    this.retriedSameToken = retriedSameToken;
  }
  get token(): AccessToken {
    return this.#token;
  }
  /** The same state with another token: what a request sent again carries. */
  carrying(token: AccessToken): AuthState {
    return token === this.#token ? this : new AuthState(token, this.manager, this.replayed, this.retriedSameToken);
  }
  /** The state of the request sent once more, marked so it is not sent again for the same reason. */
  sentAgain(reason: 'replayed' | 'retriedSameToken'): AuthState {
    const replayed = this.replayed || reason === 'replayed';
    return new AuthState(this.#token, this.manager, replayed, this.retriedSameToken || reason === 'retriedSameToken');
  }
}

export type ConfigWithState = InternalAxiosRequestConfig & { [STATE_KEY]?: AuthState };
