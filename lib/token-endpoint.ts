import type { AxiosInstance, AxiosResponse } from 'axios';
import type { Agent } from 'node:https';
import type { ClientAuthentication } from './client-auth';
import type { DPoPSession } from './dpop-nonces';
import { OAuth2Error, TokenRequestError } from './errors';
import { parseRetryAfter } from './retry';
import type { AccessToken } from './types';

/** Token response bodies larger than this are refused: no honest token response comes near it. */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

export interface TokenEndpointSettings {
  tokenUrl: string;
  /** The issuer identifier when configured, for a JWT assertion's audience. Default is none. */
  issuer?: string | undefined;
  /** The agent presenting the client certificate (RFC 8705). Default is the client's own. */
  httpsAgent?: Agent | undefined;
  /** Body parameters besides `grant_type` and client authentication, in order. */
  params: ReadonlyArray<readonly [string, string]>;
  authenticate: ClientAuthentication;
  client: AxiosInstance;
  /** Applied when the client sets no timeout of its own, in milliseconds. */
  timeoutMs: number;
  /** Lifetime assumed when the response has no `expires_in`, in milliseconds. */
  defaultLifetimeMs: number;
  /** The scope that was requested, space-delimited, or undefined. */
  requestedScope: string | undefined;
  now: () => number;
  /** Proves possession of the DPoP key (RFC 9449 §5). Default is none: Bearer tokens only. */
  dpop?: DPoPSession | undefined;
  /** Called before the one request sent again with a DPoP nonce, so it is counted. Default is none. */
  onNonceRetry?: () => void;
}

/**
 * One client credentials token request (RFC 6749 §4.4.2) and the parsing of its answer (§5.1,
 * §5.2). Resolves with the token or rejects with an {@link OAuth2Error} or a
 * {@link TokenRequestError}; never with anything that holds the credentials. With DPoP, a
 * `400 use_dpop_nonce` answer gets one more request with the server's nonce.
 */
export async function requestToken(settings: TokenEndpointSettings): Promise<AccessToken> {
  const { dpop } = settings;
  let { response, sentAt } = await sendTokenRequest(settings);
  // RFC 9449 §8: one more try with the nonce the server asked for. The body is built anew, so a
  // client assertion gets a fresh jti (a reused one would be a replay).
  if (dpop !== undefined && dpop.nonces.remember(settings.tokenUrl, response.headers) && asksForNonce(response)) {
    settings.onNonceRetry?.();
    ({ response, sentAt } = await sendTokenRequest(settings));
  }
  return parseTokenResponse(response.status, response.data, {
    sentAt,
    defaultLifetimeMs: settings.defaultLifetimeMs,
    requestedScope: settings.requestedScope,
    retryAfterMs: parseRetryAfter(headerValue(response.headers?.['retry-after']), Date.now()),
    dpop: dpop !== undefined,
  });
}

/** Whether a token endpoint answer is `400 use_dpop_nonce` (RFC 9449 §8). */
function asksForNonce(response: AxiosResponse<unknown>): boolean {
  return response.status === 400 && parseJsonObject(response.data)?.['error'] === 'use_dpop_nonce';
}

async function sendTokenRequest(
  settings: TokenEndpointSettings,
): Promise<{ response: AxiosResponse<unknown>; sentAt: number }> {
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  for (const [name, value] of settings.params) body.append(name, value);
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
    Accept: 'application/json',
  };
  // Once per attempt: a JWT assertion is signed anew, with a fresh jti, for every request.
  await settings.authenticate({ body, headers, tokenUrl: settings.tokenUrl, issuer: settings.issuer });
  const { dpop, tokenUrl } = settings;
  if (dpop !== undefined) headers['DPoP'] = dpop.signer.proof('POST', tokenUrl, dpop.nonces.get(tokenUrl));

  const sentAt = settings.now();
  try {
    const response = await settings.client.request<unknown>({
      method: 'POST',
      url: tokenUrl,
      data: body.toString(),
      headers,
      // The body is parsed here, strictly; axios' lenient JSON parsing would hide broken answers.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      // Credentials in the body must not follow a redirect to another host.
      maxRedirects: 0,
      maxContentLength: MAX_TOKEN_RESPONSE_BYTES,
      timeout: settings.client.defaults.timeout || settings.timeoutMs,
      ...(settings.httpsAgent === undefined ? {} : { httpsAgent: settings.httpsAgent }),
    });
    return { response, sentAt };
  } catch (error) {
    throw transportError(error);
  }
}

function headerValue(value: unknown): unknown {
  return Array.isArray(value) ? (value as unknown[])[0] : value;
}

/** Keeps only what is safe of a transport failure: its code and message, never its config. */
function transportError(error: unknown): TokenRequestError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const safeCode = typeof code === 'string' ? code : undefined;
  const cause = new Error(typeof message === 'string' ? message : 'token request failed');
  if (safeCode !== undefined) Object.assign(cause, { code: safeCode });
  if (safeCode === 'ECONNABORTED' || safeCode === 'ETIMEDOUT') {
    return new TokenRequestError('TOKEN_ENDPOINT_TIMEOUT', 'token endpoint did not answer in time', { cause });
  }
  if (safeCode === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED' || /maxContentLength/.test(cause.message)) {
    return new TokenRequestError(
      'TOKEN_RESPONSE_INVALID',
      `token response is larger than ${MAX_TOKEN_RESPONSE_BYTES} bytes`,
      { cause },
    );
  }
  const reason = safeCode === undefined ? '' : ` (${safeCode})`;
  // RFC 8705: a TLS alert about the certificate is the server refusing (or missing) ours.
  if (safeCode !== undefined && /^ERR_SSL_.*CERTIFICATE/.test(safeCode)) {
    return new TokenRequestError(
      'TOKEN_ENDPOINT_UNREACHABLE',
      `token endpoint refused the TLS connection: it requires a client certificate it trusts${reason}`,
      { cause },
    );
  }
  return new TokenRequestError('TOKEN_ENDPOINT_UNREACHABLE', `token request failed${reason}`, { cause });
}

function parseJsonObject(data: unknown): Record<string, unknown> | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function oauthError(status: number, json: Record<string, unknown>): OAuth2Error | undefined {
  if (typeof json['error'] !== 'string') return undefined;
  const description = json['error_description'];
  const uri = json['error_uri'];
  return new OAuth2Error({
    error: json['error'],
    errorDescription: typeof description === 'string' ? description : undefined,
    errorUri: typeof uri === 'string' ? uri : undefined,
    status,
  });
}

function invalid(message: string, status: number): TokenRequestError {
  return new TokenRequestError('TOKEN_RESPONSE_INVALID', message, { status });
}

/** Parses `expires_in` (RFC 6749 §5.1): a number of seconds, also accepted as a numeric string. */
function parseExpiresIn(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  const seconds = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/**
 * Turns a token endpoint answer into a token or a typed error.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function parseTokenResponse(
  status: number,
  data: unknown,
  context: {
    sentAt: number;
    defaultLifetimeMs: number;
    requestedScope: string | undefined;
    /** The answer's `Retry-After`, in milliseconds, kept on the error of a 429 or 5xx answer. */
    retryAfterMs?: number | undefined;
    /** Whether the request carried a DPoP proof, so a `DPoP` token type is expected. Default is `false`. */
    dpop?: boolean;
  },
): AccessToken {
  const json = parseJsonObject(data);
  if (status < 200 || status > 299) {
    const error = json && oauthError(status, json);
    if (error) throw error;
    throw new TokenRequestError(
      'TOKEN_RESPONSE_HTTP_ERROR',
      `token endpoint answered HTTP ${status} without an OAuth 2.0 error`,
      { status, retryAfterMs: status === 429 || status >= 500 ? context.retryAfterMs : undefined },
    );
  }
  if (json === undefined) throw invalid('token response is not a JSON object', status);
  // Some servers answer 200 with an error body; it is still an error response.
  const error = oauthError(status, json);
  if (error) throw error;

  const accessToken = json['access_token'];
  if (typeof accessToken !== 'string' || accessToken.length === 0)
    throw invalid('token response has no "access_token" string', status);
  const tokenType = json['token_type'];
  if (typeof tokenType !== 'string') throw invalid('token response has no "token_type" string', status);
  // RFC 6749 §5.1: token_type is case-insensitive. Bearer (RFC 6750) is sent as is; DPoP (RFC 9449
  // §5) only when we asked for it, since only then can we prove possession of the key.
  const type = tokenType.toLowerCase();
  if (type !== 'bearer' && !(type === 'dpop' && context.dpop === true))
    throw invalid(`token response has unsupported "token_type" "${tokenType.slice(0, 32)}"`, status);
  const expiresIn = parseExpiresIn(json['expires_in']);
  if (expiresIn === null) throw invalid('token response has an invalid "expires_in"', status);
  // A hint some servers send: when to renew, in seconds. Ignored unless it is a sane number.
  const refreshIn = parseExpiresIn(json['refresh_in']);
  const scope = json['scope'];
  if (scope !== undefined && typeof scope !== 'string')
    throw invalid('token response has a non-string "scope"', status);

  const token: AccessToken = {
    accessToken,
    tokenType: type === 'dpop' ? 'DPoP' : 'Bearer',
    issuedAt: context.sentAt,
    expiresAt: context.sentAt + (expiresIn === undefined ? context.defaultLifetimeMs : expiresIn * 1000),
  };
  if (typeof refreshIn === 'number' && token.issuedAt + refreshIn * 1000 < token.expiresAt)
    token.refreshAt = token.issuedAt + refreshIn * 1000;
  const grantedScope = scope ?? context.requestedScope;
  if (grantedScope !== undefined) token.scope = grantedScope;
  // Tokens are shared by every caller and the store: nobody may change one in place.
  return Object.freeze(token);
}
