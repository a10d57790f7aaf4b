import type { BoundClientAuth } from './strategy';

/** The client authentication methods (RFC 6749 §2.3, IANA "OAuth Token Endpoint Authentication Methods"). */
export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth';

export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
];

/** The mutual TLS methods (RFC 8705 §2): they use the `mtls_endpoint_aliases` token endpoint. */
export const isMutualTlsMethod = (method: ClientAuthMethod): boolean =>
  method === 'tls_client_auth' || method === 'self_signed_tls_client_auth';

/** What a token request is made of before it is sent; client authentication adds to it. */
export interface TokenRequestParts {
  body: URLSearchParams;
  headers: Record<string, string>;
  /** The URL the request is sent to; a JWT assertion's `aud` when the issuer is unknown. */
  readonly tokenUrl: string;
  /** The authorization server's issuer identifier when configured (and confirmed by discovery), else undefined. */
  readonly issuer: string | undefined;
}

/**
 * Adds a client's credentials to a token request. Made when a strategy is bound to an
 * installation; holds the secret or key in its closure so it never sits on an inspectable object.
 * Called once per token request attempt: JWT methods sign a new assertion every time.
 */
export type ClientAuthentication = (request: TokenRequestParts) => void | Promise<void>;

/**
 * The authentication of each method the installation's strategies perform, for the method the
 * endpoint (configured or discovered) uses. Discovery picks among `candidateMethods` only, so a
 * method without a strategy is a bug, reported as such.
 */
export function clientAuthenticationFor(resolved: {
  readonly authentications: readonly BoundClientAuth[];
}): (method: ClientAuthMethod) => ClientAuthentication {
  return (method) => {
    const found = resolved.authentications.find((authentication) => authentication.method === method);
    if (found === undefined) throw new TypeError(`no client authentication for "${method}"`);
    return found.authenticate;
  };
}
