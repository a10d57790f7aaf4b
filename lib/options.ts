import type { AxiosInstance } from 'axios';
import type { Agent } from 'node:https';
import type { ClientAuthMethod } from './client-auth';
import type { AssertionAudience } from './client-auth/jwt';
import type { PrivateKeyInput, SigningAlgorithm } from './client-auth/keys';
import type { ResolvedClientAuth } from './client-auth/resolve';
import type { TlsClientCertificate } from './client-auth/tls';
import type { DPoPKeyPair, DPoPSigner } from './dpop';
import type { EventListener } from './events';
import type { TokenStore } from './types';

/** Options of {@link installClientCredentials}. */
export interface ClientCredentialsOptions {
  /**
   * The token endpoint, an absolute `https:` URL (`http:` only on loopback or with
   * {@link allowHttpTokenUrl}). Give this or {@link issuer}, not both.
   */
  tokenUrl?: string;
  /**
   * The authorization server's issuer identifier, e.g. `https://login.example.com`: the token
   * endpoint is then found by discovery (RFC 8414 §3, OpenID Connect Discovery), once per issuer.
   * Give this or {@link tokenUrl}, not both.
   */
  issuer?: string;
  /** The client identifier (RFC 6749 §2.2). */
  clientId: string;
  /** The client secret. Required by `client_secret_basic`, `client_secret_post` and `client_secret_jwt`. */
  clientSecret?: string;
  /**
   * How the client authenticates at the token endpoint. Default: with {@link issuer}, the first
   * method the server supports among those the options allow (`private_key_jwt` with a
   * {@link privateKey}; `client_secret_basic`, `_post`, `_jwt` with a secret; the mutual TLS methods
   * with {@link tls}); with {@link tokenUrl}, `private_key_jwt` with a key, else
   * `'client_secret_basic'` (RFC 6749 §2.3.1).
   */
  clientAuthMethod?: ClientAuthMethod;
  /**
   * The private key for `private_key_jwt` (RFC 7523): a PKCS#8 PEM string, a private JWK object, a
   * `KeyObject` or a `CryptoKey`. Never logged, never part of an error. Default is none.
   */
  privateKey?: PrivateKeyInput;
  /** The `kid` header of client assertions. Default is the JWK's `kid`, else none. */
  keyId?: string;
  /**
   * The JWS algorithm of client assertions. Default for `private_key_jwt`: the JWK's `alg`, else
   * `RS256` for RSA, `ES256`/`ES384`/`ES512` for P-256/P-384/P-521, `EdDSA` for Ed25519. Default
   * for `client_secret_jwt`: `HS256`.
   */
  signingAlgorithm?: SigningAlgorithm;
  /**
   * The `aud` of client assertions: `'issuer'` (the issuer identifier, as
   * draft-ietf-oauth-rfc7523bis requires; the token endpoint URL when no {@link issuer} is
   * configured) or `'tokenEndpoint'` (the token endpoint URL). Default is `'issuer'`.
   */
  assertionAudience?: AssertionAudience;
  /**
   * The client certificate for mutual TLS (RFC 8705): `{ cert, key, passphrase?, ca? }` in PEM.
   * Token requests then present it, whatever the method. Default is none.
   */
  tls?: TlsClientCertificate;
  /**
   * An `https.Agent` for token requests, e.g. one that presents a client certificate from a
   * hardware module. Not with {@link tls}. Default is the token client's own.
   */
  httpsAgent?: Agent;
  /** The scope to request: a space-delimited string or an array of scope tokens (RFC 6749 §3.3). Default is none. */
  scope?: string | readonly string[];
  /** An `audience` parameter, as Auth0 and others require. Default is none. */
  audience?: string;
  /** Resource indicators, each an absolute URI (RFC 8707); each is sent as its own `resource` parameter. Default is none. */
  resource?: string | readonly string[];
  /** Extra token request body parameters. Default is none. */
  extraParams?: Readonly<Record<string, string>>;
  /** Where tokens are cached. Default is one process-wide {@link MemoryTokenStore}, shared by every installation. */
  store?: TokenStore;
  /**
   * The axios instance that sends token requests (for proxies, agents, timeouts). Default is a fresh
   * `axios.create()`. Never the intercepted instance.
   */
  tokenClient?: AxiosInstance;
  /**
   * Origins besides the instance's `baseURL` origin that may receive the token, e.g.
   * `['https://files.example.com']`. When the instance has no `baseURL` and this is empty, every
   * request gets the token. Default is none.
   */
  origins?: readonly string[];
  /**
   * How long before expiry a token is renewed, in seconds. Clamped to half the token's lifetime,
   * so short-lived tokens are still used. Default is 30.
   */
  refreshBeforeExpirySeconds?: number;
  /** The lifetime assumed when a token response has no `expires_in`, in seconds. Default is 300 (5 minutes). */
  defaultExpiresInSeconds?: number;
  /** The token request timeout in milliseconds, when `tokenClient` sets none. Default is 30000 (30 seconds). */
  tokenRequestTimeoutMs?: number;
  /**
   * How many times a failed token request is tried again: network errors, timeouts, HTTP 5xx and
   * 429 answers, with exponential backoff and full jitter (200 ms, 400 ms, ... up to
   * {@link tokenRequestRetryMaxDelayMs}), or after the answer's `Retry-After`. OAuth 2.0 error
   * responses are never retried. 0 turns retrying off. Default is 2.
   */
  tokenRequestRetries?: number;
  /**
   * The longest wait before a token request is retried, in milliseconds: caps the backoff, and a
   * `Retry-After` asking for longer ends the retrying with the error. Default is 10000 (10 seconds).
   */
  tokenRequestRetryMaxDelayMs?: number;
  /**
   * Quota protection: after the token endpoint answers `invalid_client`, `unauthorized_client`,
   * `invalid_scope` or `invalid_grant`, every call fails with that same error for this many seconds
   * without asking again. 0 turns it off. Default is 10.
   */
  errorCooldownSeconds?: number;
  /**
   * Receives the plugin's events (see {@link ClientCredentialsEvent}): exchanges started,
   * succeeded, failed or retried (with attempts and durations), waits (one event per burst),
   * renewals, 401 replays, store errors. Events never carry a secret or a token; a listener that
   * throws is ignored. A request served from the cache emits none (see `handle.stats()`). Default
   * is none.
   */
  onEvent?: EventListener;
  /**
   * Names this installation on every event, debug line and OpenTelemetry attribute, e.g.
   * `'billing-api'`, to tell one instance per API apart. Default is `<clientId>@<host>`, the host
   * (and port) of the token URL or of the issuer: never a secret.
   */
  name?: string;
  /**
   * Whether a 401 answer to a request that carried our token drops that token, renews it and replays
   * the request once (RFC 6750 §3.1). Default is `true`.
   */
  retryOnUnauthorized?: boolean;
  /** Allows an `http:` token URL on a non-loopback host (RFC 6749 §3.2 requires TLS). Default is `false`. */
  allowHttpTokenUrl?: boolean;
  /**
   * DPoP (RFC 9449): tokens bound to a key pair, each request carrying a fresh signed proof. `true`
   * generates a P-256 key pair once per installation; or give your own `{ privateKey, publicKey }`
   * (P-256 or Ed25519; `CryptoKey`, `KeyObject` or JWK). The key's thumbprint is part of the cache
   * key. Default is `false`: Bearer tokens.
   */
  dpop?: boolean | DPoPKeyPair;
}

/** Options after validation, with defaults applied and values normalised. */
export interface ResolvedOptions extends ResolvedClientAuth {
  /** The configured token endpoint; undefined when {@link issuer} is discovered. */
  tokenUrl: string | undefined;
  /** The configured issuer, exactly as given. */
  issuer: string | undefined;
  allowHttpTokenUrl: boolean;
  scopes: string[];
  audience: string | undefined;
  resources: string[];
  extraParams: Record<string, string>;
  store: TokenStore | undefined;
  tokenClient: AxiosInstance | undefined;
  origins: string[];
  refreshBeforeExpiryMs: number;
  defaultLifetimeMs: number;
  tokenRequestTimeoutMs: number;
  retryOnUnauthorized: boolean;
  tokenRequestRetries: number;
  tokenRequestRetryMaxDelayMs: number;
  errorCooldownMs: number;
  onEvent: EventListener | undefined;
  /** The installation's name, defaulted. */
  name: string;
  /** The DPoP signer, when `dpop` is set. */
  dpop: DPoPSigner | undefined;
}
