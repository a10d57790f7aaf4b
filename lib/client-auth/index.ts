import type { Agent } from 'node:https';
import { clientSecretBasic, type BasicEncoding } from './basic';
import { clientSecretJwt, privateKeyJwt, type AssertionAudience } from './jwt';
import type { HmacSigningAlgorithm, SigningKey } from './keys';
import { clientSecretPost } from './post';
import { externalAssertion, type AssertionProvider } from './assertion';
import type { SecretSource } from './secret-source';
import { tlsClientAuth } from './tls';

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
 * Adds a client's credentials to a token request. Created once per installation and method;
 * holds the secret or key in its closure so it never sits on an inspectable object. Called once
 * per token request attempt: JWT methods sign a new assertion every time.
 */
export type ClientAuthentication = (request: TokenRequestParts) => void | Promise<void>;

/** Everything client authentication may need, validated at install time. */
export interface ClientCredentialsMaterial {
  clientId: string;
  clientSecret?: string | undefined;
  /** The secret's provider, when `clientSecret` is a function (then `clientSecret` is undefined). */
  secretSource?: SecretSource | undefined;
  signingKey?: SigningKey | undefined;
  /** A provider of client assertions minted elsewhere, for `private_key_jwt` without a key. */
  clientAssertion?: AssertionProvider | undefined;
  /** How `client_secret_basic` encodes the id and secret. Default is `'rfc6749'`. */
  basicEncoding?: BasicEncoding;
  /** The `client_secret_jwt` algorithm. Default is `HS256`. */
  hmacAlgorithm?: HmacSigningAlgorithm;
  /** The `aud` of client assertions. Default is `'issuer'`. */
  assertionAudience?: AssertionAudience;
  /** The agent that presents the client certificate, when one is configured. */
  httpsAgent?: Agent | undefined;
}

/**
 * Creates the authentication for `method`. The caller validated at install time that the
 * material holds what the method needs; a gap here is a bug, reported as such.
 */
export function createClientAuthentication(
  method: ClientAuthMethod,
  material: ClientCredentialsMaterial,
): ClientAuthentication {
  const { clientId, clientSecret, signingKey } = material;
  const need = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new TypeError(`"${name}" option is required by "${method}"`);
    return value;
  };
  switch (method) {
    case 'client_secret_basic':
      return clientSecretBasic(clientId, need(clientSecret, 'clientSecret'), material.basicEncoding ?? 'rfc6749');
    case 'client_secret_post':
      return clientSecretPost(clientId, need(clientSecret, 'clientSecret'));
    case 'client_secret_jwt':
      return clientSecretJwt(
        clientId,
        need(clientSecret, 'clientSecret'),
        material.hmacAlgorithm ?? 'HS256',
        material.assertionAudience ?? 'issuer',
      );
    case 'private_key_jwt':
      if (material.clientAssertion !== undefined) return externalAssertion(clientId, material.clientAssertion);
      return privateKeyJwt(clientId, need(signingKey, 'privateKey'), material.assertionAudience ?? 'issuer');
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
      return tlsClientAuth(clientId);
  }
}

const SECRET_METHODS: ReadonlySet<ClientAuthMethod> = new Set([
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
]);

/**
 * The authentication of a secret method whose secret comes from a provider: asked on every token
 * request, the value used for that request only and dropped, never kept in a closure.
 */
function providedSecretAuthentication(
  method: ClientAuthMethod,
  material: ClientCredentialsMaterial,
  source: SecretSource,
): ClientAuthentication {
  return async (request) => {
    const clientSecret = await source.read();
    await createClientAuthentication(method, { ...material, clientSecret })(request);
  };
}

/** One authentication per method, created on first use (discovery may pick the method late). */
export function clientAuthenticationCache(
  material: ClientCredentialsMaterial,
): (method: ClientAuthMethod) => ClientAuthentication {
  const made = new Map<ClientAuthMethod, ClientAuthentication>();
  const { secretSource } = material;
  return (method) => {
    let authentication = made.get(method);
    if (authentication === undefined) {
      authentication =
        secretSource !== undefined && SECRET_METHODS.has(method)
          ? providedSecretAuthentication(method, material, secretSource)
          : createClientAuthentication(method, material);
      made.set(method, authentication);
    }
    return authentication;
  };
}
