/**
 * Stable machine-readable codes carried by every error this library throws.
 *
 * - `OAUTH2_ERROR_RESPONSE`: the token endpoint answered with an RFC 6749 §5.2 error.
 * - `TOKEN_ENDPOINT_UNREACHABLE`: the token request failed before any answer (DNS, refused, reset).
 * - `TOKEN_ENDPOINT_TIMEOUT`: the token endpoint did not answer completely within
 *   `tokenRequestTimeoutMs`, or no token came within `tokenAcquisitionTimeoutMs`.
 * - `TOKEN_RESPONSE_HTTP_ERROR`: a non-2xx answer that is not an OAuth 2.0 error response.
 * - `TOKEN_RESPONSE_INVALID`: a 2xx answer that is not a valid RFC 6749 §5.1 token response.
 * - `DISCOVERY_FAILED`: the issuer's metadata (RFC 8414) could not be fetched (a redirect or a
 *   missed deadline included) or is unusable.
 * - `ISSUER_MISMATCH`: the metadata names another issuer than the configured one (RFC 8414 §3.3).
 * - `CLIENT_ASSERTION_FAILED`: the runtime could not sign a `private_key_jwt` or `client_secret_jwt`
 *   assertion (RFC 7523), though the key passed its trial signature at install.
 * - `CREDENTIAL_PROVIDER_FAILED`: the `clientSecret` or `clientAssertion` function threw, rejected
 *   or returned no non-empty string. Its `cause` holds the provider error's name, code and message only.
 */
export type ClientCredentialsErrorCode =
  | 'OAUTH2_ERROR_RESPONSE'
  | 'TOKEN_ENDPOINT_UNREACHABLE'
  | 'TOKEN_ENDPOINT_TIMEOUT'
  | 'TOKEN_RESPONSE_HTTP_ERROR'
  | 'TOKEN_RESPONSE_INVALID'
  | 'DISCOVERY_FAILED'
  | 'ISSUER_MISMATCH'
  | 'CLIENT_ASSERTION_FAILED'
  | 'CREDENTIAL_PROVIDER_FAILED';

/**
 * Base class of every error thrown while acquiring a token. Catch this to handle them all.
 *
 * Errors never carry the client secret, a client assertion, an Authorization header or an access
 * token: not in `message`, not in a property, not in `cause`.
 */
export class ClientCredentialsError extends Error {
  /** The class name, kept literal so it survives minification: `'ClientCredentialsError'` or a subclass's. */
  override readonly name: string = 'ClientCredentialsError';
  /** A stable code; see {@link ClientCredentialsErrorCode}. */
  readonly code: ClientCredentialsErrorCode;

  constructor(code: ClientCredentialsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * The token endpoint answered with an OAuth 2.0 error response (RFC 6749 §5.2), for example
 * `invalid_client` after a wrong secret, or `invalid_scope`. A 200 answer that carries an `error`
 * member is reported the same way.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class OAuth2Error extends ClientCredentialsError {
  /** Always `'OAuth2Error'`. */
  override readonly name = 'OAuth2Error' as const;
  /** The `error` code, e.g. `invalid_client`. */
  readonly error: string;
  /**
   * The `error_description`, when the server sent one: at most 1024 characters, control characters
   * blanked, and anything the request sent (secret, assertion, proof) replaced by `[redacted]`.
   */
  readonly errorDescription: string | undefined;
  /** The `error_uri`, when the server sent one: at most 2048 characters, made safe like {@link errorDescription}. */
  readonly errorUri: string | undefined;
  /** The HTTP status of the answer. */
  readonly status: number;

  constructor(fields: {
    error: string;
    errorDescription?: string | undefined;
    errorUri?: string | undefined;
    status: number;
  }) {
    const detail = fields.errorDescription === undefined ? '' : `: ${fields.errorDescription}`;
    super('OAUTH2_ERROR_RESPONSE', `token endpoint answered "${fields.error}" (HTTP ${fields.status})${detail}`);
    this.error = fields.error;
    this.errorDescription = fields.errorDescription;
    this.errorUri = fields.errorUri;
    this.status = fields.status;
  }
}

/**
 * The token request failed for a reason other than an OAuth 2.0 error response: a network failure,
 * a timeout, an HTTP error page, or a response that is not a valid token response (not JSON, a
 * missing `access_token`, an unsupported `token_type`, ...).
 *
 * When it wraps a network error, `cause` is a plain `Error` holding only that error's `code` and
 * message: never the original AxiosError, whose `config` holds the credentials.
 */
export class TokenRequestError extends ClientCredentialsError {
  /** Always `'TokenRequestError'`. */
  override readonly name = 'TokenRequestError' as const;
  /** The HTTP status of the answer, when there was one. */
  readonly status: number | undefined;
  /**
   * The wait the server asked for with `Retry-After` (RFC 9110 §10.2.3) on a 429 or 5xx answer, in
   * milliseconds, when it sent one.
   */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: Exclude<
      ClientCredentialsErrorCode,
      'OAUTH2_ERROR_RESPONSE' | 'CLIENT_ASSERTION_FAILED' | 'CREDENTIAL_PROVIDER_FAILED' | DiscoveryErrorCode
    >,
    message: string,
    options?: { status?: number | undefined; cause?: unknown; retryAfterMs?: number | undefined },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The codes of a {@link DiscoveryError}. */
export type DiscoveryErrorCode = 'DISCOVERY_FAILED' | 'ISSUER_MISMATCH';

/**
 * The authorization server metadata of the configured `issuer` could not be used: it could not be
 * fetched or is not valid (`DISCOVERY_FAILED`), or it names another issuer (`ISSUER_MISMATCH`,
 * RFC 8414 §3.3: nothing of such metadata is used). No token request is made, and the API request
 * that needed the token is not sent.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 */
export class DiscoveryError extends ClientCredentialsError {
  /** Always `'DiscoveryError'`. */
  override readonly name = 'DiscoveryError' as const;
  /** The configured issuer. */
  readonly issuer: string;
  /** The HTTP status of the metadata answer, when there was one. */
  readonly status: number | undefined;

  constructor(
    code: DiscoveryErrorCode,
    message: string,
    options: { issuer: string; status?: number | undefined; cause?: unknown },
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.issuer = options.issuer;
    this.status = options.status;
  }
}
