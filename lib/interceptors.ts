import type { AxiosError, AxiosInstance, AxiosRequestConfig, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { AuthState, STATE_KEY, type ConfigWithState } from './auth-state';
import { headerValue, redactCredentials } from './redact';
import { bearerScheme, type TokenScheme } from './token-scheme';
import { bearerTokenRejected } from './www-authenticate';

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
    // Our state is there, so is the config.
    const value = headerValue(config!.headers, name);
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
