import axios, {
  type AxiosError,
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { redactCredentials } from './redact';
import type { TokenManager } from './token-manager';
import type { TokenManagers } from './token-managers';
import { bearerScheme, type TokenScheme } from './token-scheme';
import type { AccessToken } from './types';
import { bearerTokenRejected } from './www-authenticate';

/**
 * Per-request state lives under a string key: axios 1.x drops symbol keys when it merges configs,
 * and the 401 replay goes back through `instance.request()`, which merges.
 */
const STATE_KEY = 'axios-client-credentials';

/**
 * The config to send a request again with, carrying `state`: its headers as a plain object, as newer axios versions
 * turn them while merging. axios before 1.2 merges an `AxiosHeaders` instance into an empty one
 * and sends a malformed header ("Invalid character in header content"), so every replay failed.
 */
function againConfig(config: InternalAxiosRequestConfig, state: AuthState): AxiosRequestConfig {
  const again: AxiosRequestConfig & { [STATE_KEY]?: AuthState } = { ...config, headers: { ...config.headers } };
  again[STATE_KEY] = state;
  return again;
}

/**
 * Which token a request carried, from which manager (its parameter set's, so the 401 replay renews
 * that entry and no other), and whether it was sent again. Immutable, so the warm path shares one
 * per token instead of allocating one per request; sending a request again gives it a new one.
 * The token stays in a private field, out of `util.inspect` and `JSON.stringify`.
 */
class AuthState {
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

type ConfigWithState = InternalAxiosRequestConfig & { [STATE_KEY]?: AuthState };

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

/** A body that was a stream has been consumed by the first attempt and cannot be sent again. */
function isReplayable(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return true;
  if (typeof (data as { pipe?: unknown }).pipe === 'function') return false;
  return typeof ReadableStream === 'undefined' || !(data instanceof ReadableStream);
}

/** What the response error interceptor does besides the renewal replay. */
export interface UnauthorizedHandlerOptions {
  /** Whether a rejected token is dropped, renewed and the request replayed once. Default is `true`. */
  renew?: boolean;
  /** The statuses that say the token was rejected and trigger that renewal. Default is `[401]`. */
  renewOnStatus?: readonly number[];
  /** Called when a request is replayed with a renewed token. Default is none. */
  onReplay?: () => void;
  /** What reads the answers and may ask for a retry with the same token. Default is Bearer, which does neither. */
  scheme?: TokenScheme;
  /** Whether the error passed on to the caller loses our token and proof (see `redactCredentials`). Default is `true`. */
  redact?: boolean;
}

/** The error as the caller gets it: without our token and the scheme's proof when it carried them. */
function redacted(error: unknown, scheme: TokenScheme): unknown {
  const config = (error as Partial<AxiosError> | undefined)?.config as ConfigWithState | undefined;
  const state = config?.[STATE_KEY];
  if (!(state instanceof AuthState)) return error;
  const secrets = [state.token.accessToken];
  for (const name of scheme.credentialHeaders) {
    const value: unknown = config?.headers?.get?.(name);
    if (typeof value === 'string') secrets.push(value);
  }
  redactCredentials(error as AxiosError, secrets, ['Authorization', ...scheme.credentialHeaders]);
  return error;
}

/**
 * The response interceptor's success side: undefined when the scheme reads no answers, so a
 * successful answer costs nothing. Its error side is {@link createUnauthorizedHandler}.
 */
export function createResponseObserver(scheme: TokenScheme): ((response: AxiosResponse) => AxiosResponse) | undefined {
  const { observe } = scheme;
  if (observe === undefined) return undefined;
  return (response) => {
    observe(response);
    return response;
  };
}

/**
 * The response error interceptor: a 401 (or another status of `renewOnStatus`, such as the 403 of
 * Django OAuth Toolkit's stock views) to a request that carried our token drops that token
 * (compare-and-delete) and replays the request once with a renewed one (RFC 6750 §3.1). A 401 the
 * scheme can meet with the same token (DPoP's `use_dpop_nonce`, RFC 9449 §9) first gets one retry;
 * it is counted apart, so a request is sent at most three times.
 */
export function createUnauthorizedHandler(
  instance: AxiosInstance,
  {
    renew = true,
    renewOnStatus = [401],
    onReplay = () => {},
    scheme = bearerScheme(),
    redact = true,
  }: UnauthorizedHandlerOptions = {},
): (error: unknown) => Promise<AxiosResponse> {
  const handle = async (error: unknown): Promise<AxiosResponse> => {
    const { config, response } = (error ?? {}) as Partial<AxiosError>;
    if (response === undefined || config === undefined) throw error;
    scheme.observe?.(response);
    const renewable = renewOnStatus.includes(response.status);
    if (response.status !== 401 && !renewable) throw error;
    const state = (config as ConfigWithState)[STATE_KEY];
    if (!(state instanceof AuthState) || !isReplayable(config.data)) throw error;
    if (response.status === 401 && !state.retriedSameToken && scheme.retryWithSameToken(response, state.token)) {
      return instance.request(againConfig(config, state.sentAgain('retriedSameToken')));
    }
    const challenge: unknown = response.headers?.['www-authenticate'];
    // Still never on insufficient_scope (RFC 6750 §3.1): a renewed token of the same scope meets the same answer.
    if (!renewable || !renew || state.replayed || !bearerTokenRejected(challenge, state.token.tokenType.toLowerCase()))
      throw error;
    onReplay();
    await state.manager.invalidate(state.token.accessToken);
    return instance.request(againConfig(config, state.sentAgain('replayed')));
  };
  if (!redact) return handle;
  // A replay's own failure was redacted on its own pass through here; redacting twice is harmless.
  return (error) =>
    handle(error).catch((failure: unknown) => {
      throw redacted(failure, scheme);
    });
}
