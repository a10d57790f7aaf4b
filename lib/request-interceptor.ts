import axios, { type InternalAxiosRequestConfig } from 'axios';
import { AuthState, STATE_KEY, type ConfigWithState } from './auth-state';
import type { TokenManager } from './token-manager';
import type { TokenManagers } from './token-managers';
import { bearerScheme, type TokenScheme } from './token-scheme';
import { isThenable } from './thenable';
import type { AccessToken } from './types';

/**
 * Has the scheme put the token on the request (the Authorization header) and records which token
 * the request carried.
 *
 * An Authorization header the caller set (per request or in the instance's defaults) is replaced,
 * as golang.org/x/oauth2's Transport and Duende's token handlers do: the instance was given to the
 * plugin to authenticate, and a stale hand-set token winning silently would be the worse surprise.
 * `{ skipAuth: true }` is how a request keeps its own header. The first replacement says so in the
 * debug output (never the header's value); a replay carries our own header and is not counted.
 */
function attach(
  config: ConfigWithState,
  token: AccessToken,
  manager: TokenManager,
  scheme: TokenScheme,
  onReplaced: () => void,
  shared: (token: AccessToken, manager: TokenManager) => AuthState,
): InternalAxiosRequestConfig {
  const replaced = scheme.authorize(config, token);
  const state = config[STATE_KEY];
  if (state instanceof AuthState) config[STATE_KEY] = state.carrying(token);
  else {
    if (replaced) onReplaced();
    config[STATE_KEY] = shared(token, manager);
  }
  return config;
}

/** Waits for the token, but lets the request's own signal or cancel token end the wait at once. */
function waitForToken(pending: PromiseLike<AccessToken>, config: InternalAxiosRequestConfig): Promise<AccessToken> {
  const { signal, cancelToken } = config;
  if (signal === undefined && cancelToken === undefined) return Promise.resolve(pending);
  return new Promise<AccessToken>((resolve, reject) => {
    // From the default export: axios 1.0 and 1.1's ES module has no named `CanceledError` export.
    const onAbort = (): void => finish(() => reject(new axios.CanceledError(undefined, config)));
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

type RequestInterceptor = (
  config: InternalAxiosRequestConfig,
) => InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig>;

/**
 * The request interceptor: attaches a fresh token of the request's parameter set, synchronously
 * when one is cached. A request without `tokenParameters` goes straight to the installation's own
 * manager, with no lookup. Invalid `tokenParameters` reject the request before it is sent.
 */
export function createRequestInterceptor(
  managers: TokenManagers,
  mayReceiveToken: (config: InternalAxiosRequestConfig) => boolean,
  scheme: TokenScheme = bearerScheme(),
  onReplacedOnce: () => void = () => {},
): RequestInterceptor {
  let saidReplaced = false;
  const onReplaced = (): void => {
    if (saidReplaced) return;
    saidReplaced = true;
    onReplacedOnce();
  };
  // The state of first attempts, one per token: the warm path allocates none.
  let last: AuthState | undefined;
  const shared = (token: AccessToken, manager: TokenManager): AuthState => {
    if (last?.token !== token || last.manager !== manager) last = new AuthState(token, manager);
    return last;
  };
  return (config) => {
    if (config.skipAuth === true || !mayReceiveToken(config)) return config;
    let manager: TokenManager;
    if (config.tokenParameters === undefined) manager = managers.default;
    else {
      try {
        manager = managers.for(config.tokenParameters);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const token = manager.acquire();
    if (!isThenable(token)) return attach(config, token, manager, scheme, onReplaced, shared);
    return waitForToken(token, config).then((fresh) => attach(config, fresh, manager, scheme, onReplaced, shared));
  };
}
