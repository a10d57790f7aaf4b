import {
  CanceledError,
  type AxiosError,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { TokenManager } from './token-manager';
import type { AccessToken } from './types';
import { bearerTokenRejected } from './www-authenticate';

/**
 * Per-request state lives under a string key: axios 1.x drops symbol keys when it merges configs,
 * and the 401 replay goes back through `instance.request()`, which merges.
 */
const STATE_KEY = 'axios-client-credentials';

/** Which token a request carried and whether it was replayed. The token stays in a private field, out of `util.inspect` and `JSON.stringify`. */
class AuthState {
  #token: AccessToken;
  replayed = false;
  constructor(token: AccessToken) {
    this.#token = token;
  }
  get token(): AccessToken {
    return this.#token;
  }
  set token(token: AccessToken) {
    this.#token = token;
  }
}

type ConfigWithState = InternalAxiosRequestConfig & { [STATE_KEY]?: AuthState };

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

/** Sets the Authorization header and records which token the request carried. */
function attach(config: ConfigWithState, token: AccessToken, authorization: string): InternalAxiosRequestConfig {
  config.headers.set('Authorization', authorization);
  const state = config[STATE_KEY];
  if (state instanceof AuthState) state.token = token;
  else config[STATE_KEY] = new AuthState(token);
  return config;
}

/** Waits for the token, but lets the request's own signal or cancel token end the wait at once. */
function waitForToken(pending: PromiseLike<AccessToken>, config: InternalAxiosRequestConfig): Promise<AccessToken> {
  const { signal, cancelToken } = config;
  if (signal === undefined && cancelToken === undefined) return Promise.resolve(pending);
  return new Promise<AccessToken>((resolve, reject) => {
    const onAbort = (): void => finish(() => reject(new CanceledError(undefined, config)));
    const onCancel = (reason: unknown): void => finish(() => reject(reason));
    const finish = (settle: () => void): void => {
      signal?.removeEventListener?.('abort', onAbort);
      cancelToken?.unsubscribe(onCancel);
      settle();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener?.('abort', onAbort);
    cancelToken?.subscribe(onCancel);
    // The shared exchange carries on for other waiters; its outcome is always observed here.
    pending.then(
      (token) => finish(() => resolve(token)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/** The request interceptor: attaches a fresh token, synchronously when one is cached. */
export function createRequestInterceptor(
  manager: TokenManager,
  mayReceiveToken: (config: InternalAxiosRequestConfig) => boolean,
): (config: InternalAxiosRequestConfig) => InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig> {
  // Tokens are frozen and shared: build the header value once per token, not once per request.
  let lastToken: AccessToken | undefined;
  let lastAuthorization = '';
  const authorizationFor = (token: AccessToken): string => {
    if (token !== lastToken) {
      lastToken = token;
      lastAuthorization = `${token.tokenType} ${token.accessToken}`;
    }
    return lastAuthorization;
  };
  return (config) => {
    if (config.skipAuth === true || !mayReceiveToken(config)) return config;
    const token = manager.acquire();
    if (!isThenable(token)) return attach(config, token, authorizationFor(token));
    return waitForToken(token, config).then((fresh) => attach(config, fresh, authorizationFor(fresh)));
  };
}

/** A body that was a stream has been consumed by the first attempt and cannot be sent again. */
function isReplayable(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return true;
  if (typeof (data as { pipe?: unknown }).pipe === 'function') return false;
  return typeof ReadableStream === 'undefined' || !(data instanceof ReadableStream);
}

/**
 * The response error interceptor: a 401 to a request that carried our token drops that token
 * (compare-and-delete) and replays the request once with a renewed one (RFC 6750 §3.1).
 */
export function createUnauthorizedHandler(
  instance: AxiosInstance,
  manager: TokenManager,
  onReplay: () => void = () => {},
): (error: unknown) => Promise<AxiosResponse> {
  return async (error) => {
    const { config, response } = (error ?? {}) as Partial<AxiosError>;
    if (response?.status !== 401 || config === undefined) throw error;
    const state = (config as ConfigWithState)[STATE_KEY];
    if (!(state instanceof AuthState) || state.replayed) throw error;
    if (!isReplayable(config.data) || !bearerTokenRejected(response.headers?.['www-authenticate'])) throw error;
    state.replayed = true;
    onReplay();
    await manager.invalidate(state.token.accessToken);
    return instance.request(config);
  };
}
