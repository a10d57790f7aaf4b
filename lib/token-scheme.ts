import type { Clock } from './clock';
import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { AccessToken, TokenType } from './types';

/**
 * How tokens are requested, accepted and presented: the one seam for what differs between Bearer
 * tokens (RFC 6750, the default) and sender-constrained ones such as DPoP (RFC 9449, lib/dpop*.ts).
 * The token endpoint and the interceptors ask the installation's scheme; they never test a token
 * type themselves.
 */
export interface TokenScheme {
  /**
   * What the scheme adds to the cache key, so tokens bound to one key never serve another.
   * Undefined adds nothing: keys of Bearer configurations stay what they always were.
   */
  readonly cacheKeyPart: readonly [string, string] | undefined;
  /**
   * The token's `tokenType` for a token response's `token_type` (case-insensitive, RFC 6749
   * §5.1), or undefined when this scheme cannot use a token of that type.
   */
  readonly tokenType: (tokenType: string) => TokenType | undefined;
  /** Adds this scheme's headers to one token request attempt; called anew for every attempt. */
  readonly signTokenRequest: (headers: Record<string, string>, tokenUrl: string) => void;
  /**
   * Reads a token endpoint answer before it is parsed and says whether the request is sent once
   * more, as DPoP does for `400 use_dpop_nonce` (RFC 9449 §8).
   */
  readonly resendTokenRequest: (response: AxiosResponse<unknown>, tokenUrl: string) => boolean;
  /**
   * Puts the token on one API request attempt (replays too): the Authorization header and any
   * proof.
   *
   * @returns Whether a header the caller had set was replaced.
   */
  readonly authorize: (config: InternalAxiosRequestConfig, token: AccessToken) => boolean;
  /**
   * Reads every API answer, success or failure (DPoP keeps the servers' nonces). Undefined when
   * the scheme reads none, so successful answers cost nothing.
   */
  readonly observe: ((response: AxiosResponse) => void) | undefined;
  /** Whether a 401 answer is met by sending the request once more with the same token. */
  readonly retryWithSameToken: (response: AxiosResponse, token: AccessToken) => boolean;
  /** The request headers, besides Authorization, that carry a credential to redact from errors. */
  readonly credentialHeaders: readonly string[];
}

type HeaderBag = Record<string, unknown>;

/**
 * Sets the Authorization header as `AxiosHeaders#set('Authorization', value)` does (the name
 * matched case-insensitively, a `false` value kept), with one pass over the names and no value
 * normalisation: `value` is our own, a token already checked to hold only VSCHAR.
 *
 * @returns Whether the request had an Authorization header of its own.
 */
export function setAuthorization(headers: InternalAxiosRequestConfig['headers'], value: string): boolean {
  const bag = headers as unknown as HeaderBag;
  let name = 'Authorization';
  // The usual case is a miss under our spelling; another spelling takes one pass over the names,
  // and the last one wins, as in axios' own lookup.
  if (bag[name] === undefined) {
    for (const key in bag) if (key.length === 13 && key.toLowerCase() === 'authorization') name = key;
  }
  const current = bag[name];
  if (current !== false) bag[name] = value;
  return current !== undefined;
}

/** The Bearer scheme's answer to a `token_type`: Bearer, in any case, and nothing else. */
export function bearerTokenType(tokenType: string): TokenType | undefined {
  return tokenType.toLowerCase() === 'bearer' ? 'Bearer' : undefined;
}

/**
 * The Bearer scheme (RFC 6750 §2.1), the default: a `token_type` of Bearer only, nothing added to
 * token requests, `Authorization: Bearer <token>` on API requests. The header value is built once
 * per token, not per request: tokens are frozen and shared, so the token itself is the cache key.
 */
export function bearerScheme(): TokenScheme {
  let lastToken: AccessToken | undefined;
  let lastAuthorization = '';
  return {
    cacheKeyPart: undefined,
    tokenType: bearerTokenType,
    signTokenRequest: () => {},
    resendTokenRequest: () => false,
    authorize: (config, token) => {
      if (token !== lastToken) {
        lastToken = token;
        lastAuthorization = `Bearer ${token.accessToken}`;
      }
      return setAuthorization(config.headers, lastAuthorization);
    },
    observe: undefined,
    retryWithSameToken: () => false,
    credentialHeaders: [],
  };
}

/**
 * Marks an option value that plugs a token scheme in, such as `dpop()` of the `./dpop` subpath.
 * Registered globally (`Symbol.for`), so the ES module and CommonJS builds of this package, loaded
 * side by side, still recognise each other's values.
 */
export const TOKEN_SCHEME = Symbol.for('axios-client-credentials.token-scheme');

/** The scheme of one installation, made on its first use for its axios instance and its clock. */
export type TokenSchemeFactory = (instance: AxiosInstance, clock: Clock) => TokenScheme;

/** An option value that plugs a token scheme in: what `dpop()` returns. */
export interface TokenSchemeOption {
  /**
   * Makes the scheme of one installation: a {@link TokenSchemeFactory}. Typed opaquely in the
   * public declarations, which must compile against every axios of the peer range (axios 1.0 and
   * 1.1 declare no `InternalAxiosRequestConfig`, which the scheme's methods take).
   *
   * @internal
   */
  readonly [TOKEN_SCHEME]: unknown;
}

/**
 * Validates the `dpop` option at install time: none, or the value of `dpop()` from
 * `axios-client-credentials/dpop`, which alone loads the DPoP code.
 *
 * @throws {TypeError} naming the `dpop` option and the import, for `true` or a key pair as before.
 */
export function resolveTokenScheme(value: unknown): TokenSchemeFactory | undefined {
  if (value === undefined || value === false) return undefined;
  const factory: unknown =
    typeof value === 'object' && value !== null ? (value as Record<symbol, unknown>)[TOKEN_SCHEME] : undefined;
  if (typeof factory === 'function') return factory as TokenSchemeFactory;
  throw new TypeError(
    `"dpop" option must be the value of dpop() from 'axios-client-credentials/dpop': ` +
      `import { dpop } from 'axios-client-credentials/dpop' and pass dpop: dpop(), or dpop({ privateKey, publicKey }) for your own key pair`,
  );
}
