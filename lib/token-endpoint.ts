import type { AxiosInstance, AxiosResponse } from 'axios';
import type { Agent } from 'node:https';
import type { ClientAuthentication } from './client-auth';
import { requestSignal, timedOut, timeoutSignal, type Deadline } from './deadline';
import { TokenRequestError } from './errors';
import { parseRetryAfter } from './retry';
import { redactor, sentSecrets } from './sent-secrets';
import { bearerScheme, type TokenScheme } from './token-scheme';
import { parseTokenResponse } from './token-response';
import type { AccessToken } from './types';

export { parseTokenResponse, type TokenResponseContext } from './token-response';

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
  /**
   * The deadline of one request, connect to last byte, when the client sets no timeout of its own,
   * in milliseconds.
   */
  timeoutMs: number;
  /** The whole acquisition's deadline, which also ends this request. Default is none. */
  deadline?: Deadline | undefined;
  /** The longest `access_token` accepted, in characters. Default is 8000. */
  maxAccessTokenLength?: number | undefined;
  /** Lifetime assumed when the response has no `expires_in`, in milliseconds. */
  defaultLifetimeMs: number;
  /** The scope that was requested, space-delimited, or undefined. */
  requestedScope: string | undefined;
  now: () => number;
  /** What the request adds and which `token_type`s it accepts (see {@link TokenScheme}). Default is Bearer. */
  scheme?: TokenScheme | undefined;
  /** Maps a 2xx answer's parsed body to RFC 6749 §5.1 fields before it is checked. Default is none. */
  mapTokenResponse?: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined;
  /** `'json'` sends the body as a JSON object instead of a form. Default is `'form'`. */
  tokenRequestBody?: 'form' | 'json' | undefined;
  /** How Basic credentials were encoded, for the hint in an empty 401/403's error. Default is `'rfc6749'`. */
  basicEncoding?: 'rfc6749' | 'raw' | undefined;
  /** Called before the one request the scheme asks to send again, so it is counted. Default is none. */
  onNonceRetry?: () => void;
}

/**
 * One client credentials token request (RFC 6749 §4.4.2) and the parsing of its answer (§5.1,
 * §5.2). Resolves with the token or rejects with an {@link OAuth2Error} or a
 * {@link TokenRequestError}; never with anything that holds the credentials. An answer the
 * scheme asks to meet once more (DPoP's `400 use_dpop_nonce`) gets one more request.
 */
export async function requestToken(settings: TokenEndpointSettings): Promise<AccessToken> {
  const scheme = settings.scheme ?? bearerScheme();
  let { response, sentAt, redact, basic } = await sendTokenRequest(settings, scheme);
  if (scheme.resendTokenRequest(response, settings.tokenUrl)) {
    settings.onNonceRetry?.();
    ({ response, sentAt, redact, basic } = await sendTokenRequest(settings, scheme));
  }
  return parseTokenResponse(response.status, response.data, {
    sentAt,
    defaultLifetimeMs: settings.defaultLifetimeMs,
    requestedScope: settings.requestedScope,
    retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after']), settings.now()),
    tokenType: scheme.tokenType,
    redact,
    basicEncoding: basic ? (settings.basicEncoding ?? 'rfc6749') : undefined,
    mapTokenResponse: settings.mapTokenResponse,
    maxAccessTokenLength: settings.maxAccessTokenLength,
  });
}

/**
 * The form's parameters as one JSON object, for token endpoints that refuse forms: each name once,
 * a repeated one (`resource`, RFC 8707) as an array of its values in order.
 */
function jsonBody(form: URLSearchParams): Record<string, string | string[]> {
  const object: Record<string, string | string[]> = {};
  for (const name of new Set(form.keys())) {
    const values = form.getAll(name);
    object[name] = values.length === 1 ? values[0]! : values;
  }
  return object;
}

async function sendTokenRequest(
  settings: TokenEndpointSettings,
  scheme: TokenScheme,
): Promise<{ response: AxiosResponse<unknown>; sentAt: number; redact: (text: string) => string; basic: boolean }> {
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  for (const [name, value] of settings.params) body.append(name, value);
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
    Accept: 'application/json',
  };
  // Once per attempt: a JWT assertion is signed anew, with a fresh jti, for every request.
  await settings.authenticate({ body, headers, tokenUrl: settings.tokenUrl, issuer: settings.issuer });
  const { tokenUrl } = settings;
  scheme.signTokenRequest(headers, tokenUrl);

  const json = settings.tokenRequestBody === 'json';
  if (json) headers['Content-Type'] = 'application/json';
  // The server knows what we sent: an error text that echoes any of it has it redacted.
  const redact = redactor(sentSecrets(headers, body));
  const timeoutMs = settings.client.defaults.timeout || settings.timeoutMs;
  const { deadline } = settings;
  const own = timeoutSignal(timeoutMs, deadline?.clock);
  const sentAt = settings.now();
  try {
    const response = await settings.client.request<unknown>({
      method: 'POST',
      url: tokenUrl,
      data: json ? JSON.stringify(jsonBody(body)) : body.toString(),
      headers,
      // The body is parsed here, strictly; axios' lenient JSON parsing would hide broken answers,
      // and no transform of the client's own may touch the text first.
      responseType: 'text',
      transformResponse: [],
      validateStatus: () => true,
      // Credentials in the body must not follow a redirect to another host.
      maxRedirects: 0,
      maxContentLength: MAX_TOKEN_RESPONSE_BYTES,
      timeout: timeoutMs,
      // axios' `timeout` in Node only notices an idle socket; this ends the request however it trickles.
      signal: requestSignal(settings.client, own, deadline?.signal),
      // Undefined leaves the client's own agent: axios merges an undefined option as unset.
      httpsAgent: settings.httpsAgent,
    });
    return { response, sentAt, redact, basic: headers['Authorization']?.startsWith('Basic ') === true };
  } catch (error) {
    if (timedOut(own))
      throw new TokenRequestError('TOKEN_ENDPOINT_TIMEOUT', `token endpoint did not answer within ${timeoutMs} ms`, {
        cause: Object.assign(new Error('request deadline passed'), { code: 'ETIMEDOUT' }),
      });
    if (deadline !== undefined && timedOut(deadline.signal)) throw acquisitionTimeout(deadline);
    throw transportError(error);
  }
}

/** The error of an acquisition whose total deadline passed. */
export function acquisitionTimeout(deadline: Deadline): TokenRequestError {
  return new TokenRequestError(
    'TOKEN_ENDPOINT_TIMEOUT',
    `no token within the ${deadline.totalMs} ms token acquisition deadline`,
  );
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
  if (safeCode?.match(/^ERR_SSL_.*CERTIFICATE/)) {
    return new TokenRequestError(
      'TOKEN_ENDPOINT_UNREACHABLE',
      `token endpoint refused the TLS connection: it requires a client certificate it trusts${reason}`,
      { cause },
    );
  }
  return new TokenRequestError('TOKEN_ENDPOINT_UNREACHABLE', `token request failed${reason}`, { cause });
}
