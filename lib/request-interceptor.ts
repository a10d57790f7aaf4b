import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { AuthState, STATE_KEY, type ConfigWithState } from './auth-state';
import type { TokenManager } from './token-manager';
import type { TokenManagers } from './token-managers';
import { bearerScheme, type TokenScheme } from './token-scheme';
import type { AccessToken } from './types';

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

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

/** The request interceptor and what its fast path needs. */
interface RequestInterceptorParts {
  intercept: (config: InternalAxiosRequestConfig) => InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig>;
  /** Attaches a token the default manager handed out synchronously. */
  attachNow: (config: InternalAxiosRequestConfig, token: AccessToken) => InternalAxiosRequestConfig;
}

/** A token acquisition begun by the fast path's `runWhen` that turned out to wait: the slow path takes it over. */
const begun = new WeakMap<InternalAxiosRequestConfig, PromiseLike<AccessToken>>();

function requestInterceptorParts(
  managers: TokenManagers,
  mayReceiveToken: (config: InternalAxiosRequestConfig) => boolean,
  scheme: TokenScheme,
  onReplacedOnce: () => void,
): RequestInterceptorParts {
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
  const intercept: RequestInterceptorParts['intercept'] = (config) => {
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
    const pending = begun.get(config);
    if (pending !== undefined) begun.delete(config);
    const token = pending ?? manager.acquire();
    if (!isThenable(token)) return attach(config, token, manager, scheme, onReplaced, shared);
    return waitForToken(token, config).then((fresh) => attach(config, fresh, manager, scheme, onReplaced, shared));
  };
  return {
    intercept,
    attachNow: (config, token) => attach(config, token, managers.default, scheme, onReplaced, shared),
  };
}

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
): RequestInterceptorParts['intercept'] {
  return requestInterceptorParts(managers, mayReceiveToken, scheme, onReplacedOnce).intercept;
}

/**
 * Registers the request interceptor of {@link createRequestInterceptor} on `instance`, with a
 * synchronous fast path for the usual request: when ours are the instance's only request
 * interceptors, nothing can change the config between axios' `runWhen` checks and the interceptor
 * itself, so the check takes the cached token and a synchronous interceptor attaches it. axios
 * then skips the promise step of the request interceptors (`synchronous: true`), which pays for
 * the response interceptor's. Every other request (a token to wait for, `skipAuth`, other
 * interceptors on the instance) takes the regular interceptor, exactly as before.
 *
 * @returns The function that removes both.
 */
export function useRequestInterceptor(
  instance: AxiosInstance,
  managers: TokenManagers,
  mayReceiveToken: (config: InternalAxiosRequestConfig) => boolean,
  scheme: TokenScheme,
  onReplacedOnce: () => void,
): () => void {
  const { intercept, attachNow } = requestInterceptorParts(managers, mayReceiveToken, scheme, onReplacedOnce);
  const interceptors = instance.interceptors.request;
  let readyConfig: InternalAxiosRequestConfig | undefined;
  let readyToken: AccessToken | undefined;
  const fast = (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
    const token = readyToken;
    readyConfig = readyToken = undefined;
    // Always the config `runWhen` saw: axios runs a synchronous chain at once.
    return token === undefined ? config : attachNow(config, token);
  };
  const ours = (handler: { fulfilled?: unknown } | null): boolean =>
    handler === null || handler.fulfilled === fast || handler.fulfilled === intercept;
  const takeFastPath = (config: InternalAxiosRequestConfig): boolean => {
    readyConfig = readyToken = undefined;
    if (config.skipAuth === true || config.tokenParameters !== undefined) return false;
    const handlers = interceptors.handlers as ReadonlyArray<{ fulfilled?: unknown } | null> | undefined;
    if (handlers === undefined || !handlers.every(ours) || !mayReceiveToken(config)) return false;
    const token = managers.default.acquire();
    if (isThenable(token)) {
      begun.set(config, token);
      return false;
    }
    readyConfig = config;
    readyToken = token;
    return true;
  };
  const fastId = interceptors.use(fast, undefined, { synchronous: true, runWhen: takeFastPath });
  const regularId = interceptors.use(intercept, undefined, { runWhen: (config) => config !== readyConfig });
  return () => {
    interceptors.eject(fastId);
    interceptors.eject(regularId);
  };
}
