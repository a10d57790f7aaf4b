import { TokenRequestError } from './errors';
import { oauthError, serverText } from './oauth-error-response';
import { jwtLifetimeMs } from './jwt-expiry';
import { bearerTokenType } from './token-scheme';
import type { AccessToken, TokenType } from './types';

/**
 * The default longest `access_token` accepted, in characters (each one byte: RFC 6749 Appendix A.12
 * allows only ASCII). The token travels in one header line, `Authorization: Bearer <token>`:
 * Apache's default `LimitRequestFieldSize` is 8190 bytes per header line and nginx's
 * `large_client_header_buffers` 8 KiB, so 8000 leaves room for the name and scheme. Typical JWT
 * access tokens are 1 to 2 KB, and Entra ID tokens with many group claims stay within 6 KB. A
 * longer token would make every API call fail (HTTP 431 or 400) for its whole lifetime.
 */
export const DEFAULT_MAX_ACCESS_TOKEN_LENGTH = 8000;

/**
 * The longest lifetime a token is given, in seconds: one year. A larger `expires_in` (even `1e308`)
 * is clamped, so expiry is always a finite time a store can hold (`SET PX` in Redis refuses
 * Infinity). golang.org/x/oauth2 clamps too (to `math.MaxInt32` seconds, internal/token.go);
 * a year only means a renewal after a year.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 365 * 24 * 60 * 60;

/** RFC 6749 Appendix A.12: access-token = 1*VSCHAR, VSCHAR = %x20-7E. No CR/LF can reach a header. */
const ACCESS_TOKEN = /^[\x20-\x7E]+$/;

/** What the parser needs to know about the request the answer belongs to. */
export interface TokenResponseContext {
  /** When the request was sent, in epoch milliseconds: the start of the token's lifetime. */
  sentAt: number;
  /** Lifetime assumed when the response has no `expires_in` (or 0), in milliseconds. */
  defaultLifetimeMs: number;
  /** The scope that was requested, space-delimited, or undefined. */
  requestedScope: string | undefined;
  /** The answer's `Retry-After`, in milliseconds, kept on the error of a 429 or 5xx answer. */
  retryAfterMs?: number | undefined;
  /**
   * The token's `tokenType` for the answer's `token_type`, or undefined when the request's scheme
   * cannot use it (see `TokenScheme#tokenType`). Default accepts Bearer only.
   */
  tokenType?: ((tokenType: string) => TokenType | undefined) | undefined;
  /** The longest `access_token` accepted, in characters. Default is {@link DEFAULT_MAX_ACCESS_TOKEN_LENGTH}. */
  maxAccessTokenLength?: number | undefined;
  /** The Basic encoding the request used, when it authenticated with Basic: named in the error of an empty 401/403. Default is none. */
  basicEncoding?: 'rfc6749' | 'raw' | undefined;
  /** Maps a 2xx answer's parsed body to RFC 6749 §5.1 fields before the checks. Default is none. */
  mapTokenResponse?: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined;
  /** Removes what the request sent (secret, assertion, proof) from server text. Default removes nothing. */
  redact?: (text: string) => string;
}

/**
 * The answer as a plain object: JSON text parsed, or a plain object as a test adapter
 * (axios-mock-adapter's `reply(200, {...})`) hands it back. Arrays, class instances and other
 * prototypes are refused, so both forms meet the same field checks.
 */
export function parseJsonObject(data: unknown): Record<string, unknown> | undefined {
  let parsed = data;
  if (typeof data === 'string') {
    try {
      parsed = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const prototype: unknown = Object.getPrototypeOf(parsed);
  return prototype === Object.prototype || prototype === null ? (parsed as Record<string, unknown>) : undefined;
}

function invalid(message: string, status: number): TokenRequestError {
  return new TokenRequestError('TOKEN_RESPONSE_INVALID', message, { status });
}

/** Parses `expires_in` (RFC 6749 §5.1): a number of seconds, also accepted as a numeric string. */
function parseSeconds(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  const seconds = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

const keep = (text: string): string => text;

/**
 * The body as `mapTokenResponse` maps it. A mapper that throws or answers no plain object is a
 * `TOKEN_RESPONSE_INVALID`, without its error as cause: that error may quote the body, token included.
 */
function mapped(
  map: (body: Record<string, unknown>) => Record<string, unknown>,
  json: Record<string, unknown>,
  status: number,
): Record<string, unknown> {
  let result: unknown;
  try {
    result = map(json);
  } catch {
    throw invalid('"mapTokenResponse" threw on the token response', status);
  }
  const body = parseJsonObject(result);
  if (typeof result !== 'object' || body === undefined)
    throw invalid('"mapTokenResponse" did not return a plain object', status);
  return body;
}

/**
 * An empty 401/403 after a Basic request is how servers that do not form-urldecode Basic
 * credentials (Glewlwyd) refuse RFC 6749 §2.3.1 encoding: the message says which option to try.
 */
function basicHint(status: number, data: unknown, encoding: 'rfc6749' | 'raw' | undefined): string {
  if (encoding === undefined || (status !== 401 && status !== 403)) return '';
  if (data !== undefined && data !== null && !(typeof data === 'string' && data.trim() === '')) return '';
  return encoding === 'rfc6749'
    ? " (an empty answer to Basic credentials: if the server does not form-urldecode them, set basicEncoding: 'raw')"
    : " (an empty answer to Basic credentials sent with basicEncoding: 'raw'; if the server decodes them per RFC 6749, use 'rfc6749')";
}

/**
 * Turns a token endpoint answer into a token or a typed error.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function parseTokenResponse(status: number, data: unknown, context: TokenResponseContext): AccessToken {
  const redact = context.redact ?? keep;
  const json = parseJsonObject(data);
  if (status < 200 || status > 299) {
    const error = json && oauthError(status, json, redact);
    if (error) throw error;
    throw new TokenRequestError(
      'TOKEN_RESPONSE_HTTP_ERROR',
      `token endpoint answered HTTP ${status} without an OAuth 2.0 error${basicHint(status, data, context.basicEncoding)}`,
      { status, retryAfterMs: status === 429 || status >= 500 ? context.retryAfterMs : undefined },
    );
  }
  if (json === undefined) throw invalid('token response is not a JSON object', status);
  const body = context.mapTokenResponse === undefined ? json : mapped(context.mapTokenResponse, json, status);
  // Some servers answer 200 with an error body; it is still an error response.
  const error = oauthError(status, body, redact);
  if (error) throw error;

  const accessToken = body['access_token'];
  if (typeof accessToken !== 'string' || accessToken.length === 0)
    throw invalid('token response has no "access_token" string', status);
  const maxLength = context.maxAccessTokenLength ?? DEFAULT_MAX_ACCESS_TOKEN_LENGTH;
  if (accessToken.length > maxLength)
    throw invalid(
      `token response "access_token" is longer than ${maxLength} characters ("maxAccessTokenLength")`,
      status,
    );
  if (!ACCESS_TOKEN.test(accessToken) || accessToken.trim() === '')
    throw invalid('token response "access_token" holds characters RFC 6749 Appendix A.12 does not allow', status);
  const tokenType = body['token_type'];
  if (typeof tokenType !== 'string') throw invalid('token response has no "token_type" string', status);
  // RFC 6749 §5.1: token_type is case-insensitive. Bearer (RFC 6750) is always usable; another type
  // only when the request's scheme can present it (DPoP, RFC 9449 §5, proves possession of its key).
  const type = (context.tokenType ?? bearerTokenType)(tokenType);
  if (type === undefined)
    throw invalid(`token response has unsupported "token_type" "${serverText(tokenType, 32, redact)}"`, status);
  const expiresIn = parseSeconds(body['expires_in']);
  if (expiresIn === null) throw invalid('token response has an invalid "expires_in"', status);
  // A hint some servers send: when to renew, in seconds. Ignored unless it is a sane number.
  const refreshIn = parseSeconds(body['refresh_in']);
  const scope = body['scope'];
  if (scope !== undefined && typeof scope !== 'string')
    throw invalid('token response has a non-string "scope"', status);

  // `expires_in: 0` says nothing usable (a token dead on arrival would cost one exchange per
  // call): treated as absent, as golang.org/x/oauth2 does (tokenJSON.expiry: only a non-zero
  // expires_in sets an expiry).
  // Without it, a JWT access token's own `exp` comes before the default lifetime.
  const lifetimeMs =
    expiresIn === undefined || expiresIn === 0
      ? (jwtLifetimeMs(accessToken, context.sentAt, MAX_TOKEN_LIFETIME_SECONDS * 1000) ?? context.defaultLifetimeMs)
      : expiresIn * 1000;
  const token: AccessToken = {
    accessToken,
    tokenType: type,
    issuedAt: context.sentAt,
    expiresAt: context.sentAt + Math.min(lifetimeMs, MAX_TOKEN_LIFETIME_SECONDS * 1000),
  };
  if (typeof refreshIn === 'number' && token.issuedAt + refreshIn * 1000 < token.expiresAt)
    token.refreshAt = token.issuedAt + refreshIn * 1000;
  const grantedScope = scope ?? context.requestedScope;
  if (grantedScope !== undefined) token.scope = grantedScope;
  // Tokens are shared by every caller and the store: nobody may change one in place.
  return Object.freeze(token);
}
