import type { AxiosInstance } from 'axios';
import type { Clock } from './clock';
import type { Agent } from 'node:https';
import type { ClientAuthMethod } from './client-auth';
import type { AssertionAudience } from './client-auth/jwt';
import type { PrivateKeyInput, SigningAlgorithm } from './client-auth/keys';
import type { ResolvedClientAuth } from './client-auth/resolve';
import type { ClientAuth } from './client-auth/strategy';
import type { TlsClientCertificate } from './client-auth/tls';
import type { DPoPOption } from './dpop-option';
import type { ClientCredentialsEventListener } from './events';
import type { TokenSchemeFactory } from './token-scheme';
import type { TokenStore } from './types';

/** Options of {@link installClientCredentials}. */
export interface ClientCredentialsOptions {
  /**
   * The token endpoint, an absolute `https:` URL (`http:` only on loopback or with
   * {@link allowHttpTokenUrl}). Give this or {@link issuer}, not both.
   */
  tokenUrl?: string | undefined;
  /**
   * The authorization server's issuer identifier, e.g. `https://login.example.com`: the token
   * endpoint is then found by discovery (RFC 8414 §3, OpenID Connect Discovery), once per issuer.
   * Give this or {@link tokenUrl}, not both.
   */
  issuer?: string | undefined;
  /** The client identifier (RFC 6749 §2.2). */
  clientId: string;
  /**
   * How the client authenticates, as one strategy value with its credentials:
   * `clientSecretBasic(secret, { encoding })`, `clientSecretPost(secret)`,
   * `clientSecretJwt(secret, options)`, `privateKeyJwt(key, options)`, `clientAssertion(provider)`,
   * `tlsClientAuth(certificate)` or `selfSignedTlsClientAuth(certificate)`. Each validates its
   * credentials when made. The method is then fixed, also with {@link issuer}. Not with the flat
   * options it replaces: {@link clientSecret}, {@link clientAssertion}, {@link basicEncoding},
   * {@link clientAuthMethod}, {@link privateKey}, {@link keyId}, {@link signingAlgorithm},
   * {@link assertionAudience}. Default is none: those flat options, as its shorthand.
   */
  clientAuth?: ClientAuth | undefined;
  /**
   * The client secret, or a function returning it (sync or async: Vault, a secrets manager, a
   * mounted file). Required by `client_secret_basic`, `client_secret_post` and `client_secret_jwt`.
   * A function is called whenever a token request needs the secret and its value is used for that
   * request only, never kept. After an `invalid_client` answer it is asked once more, and a changed
   * value gets one more token request before the error cooldown starts, so a rotation costs one
   * failed exchange at most. The cache key follows the fingerprint of the value it last returned
   * (the first request asks it before reading the cache). If it throws or returns no non-empty
   * string, the acquisition fails with `CREDENTIAL_PROVIDER_FAILED`. Default is none.
   */
  clientSecret?: string | (() => string | Promise<string>) | undefined;
  /**
   * A function returning a signed JWT client assertion minted elsewhere (RFC 7523 §2.2), sync or
   * async: a Kubernetes projected service-account token read from its file, a SPIFFE JWT-SVID, a
   * CI's OIDC token (workload identity federation). Called on every token request attempt; its
   * value is sent as `client_assertion` with `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`
   * and never kept. The method is then `private_key_jwt`. Not with {@link clientSecret} or
   * {@link privateKey}. Installations given the same function share a token; its failure is
   * `CREDENTIAL_PROVIDER_FAILED`. Default is none.
   */
  clientAssertion?: (() => string | Promise<string>) | undefined;
  /**
   * How `client_secret_basic` encodes the client id and secret before Base64: `'rfc6749'`
   * form-urlencodes each first (RFC 6749 §2.3.1); `'raw'` sends them unencoded (RFC 7617), for
   * servers that do not decode them (Glewlwyd 2.7.5 answers an empty 403 to a secret with `+`,
   * `/`, `:` or `%` otherwise). An empty 401 or 403 after a Basic request names this option in
   * its error message. Default is `'rfc6749'`.
   */
  basicEncoding?: 'rfc6749' | 'raw' | undefined;
  /**
   * How the client authenticates at the token endpoint. Default: with {@link issuer}, the first
   * method the server supports among those the options allow (`private_key_jwt` with a
   * {@link privateKey}; `client_secret_basic`, `_post`, `_jwt` with a secret; the mutual TLS methods
   * with {@link tls}); with {@link tokenUrl}, `private_key_jwt` with a key, else
   * `'client_secret_basic'` (RFC 6749 §2.3.1). This and the other flat client authentication
   * options are the shorthand of {@link clientAuth}: they resolve into the same strategies.
   */
  clientAuthMethod?: ClientAuthMethod | undefined;
  /**
   * The private key for `private_key_jwt` (RFC 7523): a PKCS#8 PEM string, a private JWK object, a
   * `KeyObject` or a `CryptoKey`. Never logged, never part of an error. Default is none.
   */
  privateKey?: PrivateKeyInput | undefined;
  /** The `kid` header of client assertions. Default is the JWK's `kid`, else none. */
  keyId?: string | undefined;
  /**
   * The JWS algorithm of client assertions. Default for `private_key_jwt`: the JWK's `alg`, else
   * `RS256` for RSA, `ES256`/`ES384`/`ES512` for P-256/P-384/P-521, `EdDSA` for Ed25519. Default
   * for `client_secret_jwt`: `HS256`.
   */
  signingAlgorithm?: SigningAlgorithm | undefined;
  /**
   * The `aud` of client assertions: `'issuer'` (the issuer identifier, as
   * draft-ietf-oauth-rfc7523bis requires; the token endpoint URL when no {@link issuer} is
   * configured) or `'tokenEndpoint'` (the token endpoint URL). Default is `'issuer'`.
   */
  assertionAudience?: AssertionAudience | undefined;
  /**
   * The client certificate for mutual TLS (RFC 8705): `{ cert, key, passphrase?, ca? }` in PEM.
   * Token requests then present it, whatever the method. Default is none.
   */
  tls?: TlsClientCertificate | undefined;
  /**
   * An `https.Agent` for token requests, e.g. one that presents a client certificate from a
   * hardware module. Not with {@link tls}. Default is the token client's own.
   */
  httpsAgent?: Agent | undefined;
  /** The scope to request: a space-delimited string or an array of scope tokens (RFC 6749 §3.3). Default is none. */
  scope?: string | readonly string[] | undefined;
  /** An `audience` parameter, as Auth0 and others require. Default is none. */
  audience?: string | undefined;
  /** Resource indicators, each an absolute URI (RFC 8707); each is sent as its own `resource` parameter. Default is none. */
  resource?: string | readonly string[] | undefined;
  /** Extra token request body parameters. Default is none. */
  extraParams?: Readonly<Record<string, string>> | undefined;
  /** Where tokens are cached. Default is one process-wide {@link MemoryTokenStore}, shared by every installation. */
  store?: TokenStore | undefined;
  /**
   * How long one call to the {@link store} (`get`, `set`, `delete`, `lock`) may take, in
   * milliseconds. A call that fails or takes longer counts as failed for that call only: a read is
   * a miss, a write is skipped, and a `store_error` event is emitted, so a store that never
   * answers costs token exchanges, never API calls. Lock calls get at least 10000 (10 seconds):
   * a lock that answers late is not a failure, and failing open on it costs the fleet exchanges.
   * Default is 500 (above the Redis store's own 300 ms operation timeout).
   */
  storeTimeoutMs?: number | undefined;
  /**
   * The axios instance that sends token requests (for proxies, agents, timeouts). Default is a fresh
   * `axios.create()`. Never the intercepted instance.
   */
  tokenClient?: AxiosInstance | undefined;
  /**
   * Origins besides the instance's `baseURL` origin that may receive the token, e.g.
   * `['https://files.example.com']`, or `'*'` for every origin. Required when the instance has no
   * absolute `baseURL` (such as the default axios export): installing then without it is a
   * `TypeError`, so the token never goes to every host by accident. A request to any other origin
   * gets no token, reported once per origin as a `token_withheld` event. Default is none: only
   * the `baseURL` origin.
   */
  origins?: readonly string[] | '*' | undefined;
  /**
   * How long before expiry a token is renewed, in milliseconds. Clamped to a sixth of the token's
   * lifetime, so short-lived tokens are still used. Not with {@link refreshBeforeExpirySeconds}.
   * Default is 30000 (30 seconds).
   */
  refreshBeforeExpiryMs?: number | undefined;
  /**
   * {@link refreshBeforeExpiryMs} in seconds. Not with it. Default is 30.
   *
   * @deprecated Use {@link refreshBeforeExpiryMs}: every duration option is in milliseconds.
   */
  refreshBeforeExpirySeconds?: number | undefined;
  /**
   * The lifetime assumed when a token response has no `expires_in` and the access token is not a
   * JWT with a usable `exp` claim (which is read, not verified), in milliseconds. Not with
   * {@link defaultExpiresInSeconds}. Default is 300000 (5 minutes).
   */
  defaultExpiresInMs?: number | undefined;
  /**
   * {@link defaultExpiresInMs} in seconds. Not with it. Default is 300 (5 minutes).
   *
   * @deprecated Use {@link defaultExpiresInMs}: every duration option is in milliseconds.
   */
  defaultExpiresInSeconds?: number | undefined;
  /**
   * The deadline of one token request (and of each discovery metadata request), from connect to
   * last byte, in milliseconds, when `tokenClient` sets no `timeout`. A server that trickles its
   * answer cannot stretch it. Default is 30000 (30 seconds).
   */
  tokenRequestTimeoutMs?: number | undefined;
  /**
   * The deadline of one whole token acquisition, in milliseconds: the discovery metadata fetch,
   * every attempt and every backoff or `Retry-After` wait between them. When it passes, every
   * caller waiting for that token fails with `TOKEN_ENDPOINT_TIMEOUT` (or `DISCOVERY_FAILED` while
   * the metadata is still being fetched); a retry whose wait would end after it is not made. Default
   * is the token request timeout times the attempts (`tokenRequestRetries` + 1), plus
   * `tokenRequestRetryMaxDelayMs` per retry, plus two token request timeouts for the metadata with
   * {@link issuer}: 110000 (110 seconds) with the defaults, 170000 with an issuer.
   */
  tokenAcquisitionTimeoutMs?: number | undefined;
  /**
   * The longest `access_token` accepted, in characters; a longer one is refused with
   * `TOKEN_RESPONSE_INVALID` instead of making every API call fail at the header size limit.
   * Default is 8000, which fits the 8 KiB header line limit of common servers (Apache, nginx).
   */
  maxAccessTokenLength?: number | undefined;
  /**
   * How many times a failed token request is tried again: network errors, timeouts, HTTP 5xx and
   * 429 answers, with exponential backoff and full jitter (200 ms, 400 ms, ... up to
   * {@link tokenRequestRetryMaxDelayMs}), or after the answer's `Retry-After`. OAuth 2.0 error
   * responses are never retried. 0 turns retrying off. Default is 2.
   */
  tokenRequestRetries?: number | undefined;
  /**
   * The longest wait before a token request is retried, in milliseconds: caps the backoff, and a
   * `Retry-After` asking for longer ends the retrying with the error. Default is 10000 (10 seconds).
   */
  tokenRequestRetryMaxDelayMs?: number | undefined;
  /**
   * Quota protection: after the token endpoint answers `invalid_client`, `unauthorized_client`,
   * `invalid_scope` or `invalid_grant`, every call fails with that same error for this many
   * milliseconds without asking again. 0 turns it off. Not with {@link errorCooldownSeconds}.
   * Default is 10000 (10 seconds).
   */
  errorCooldownMs?: number | undefined;
  /**
   * {@link errorCooldownMs} in seconds. Not with it. Default is 10.
   *
   * @deprecated Use {@link errorCooldownMs}: every duration option is in milliseconds.
   */
  errorCooldownSeconds?: number | undefined;
  /**
   * Receives the plugin's events (see {@link ClientCredentialsEvent}): exchanges started,
   * succeeded, failed or retried (with attempts and durations), waits (one event per burst),
   * renewals, 401 replays, store errors. Events never carry a secret or a token; a listener that
   * throws is ignored. A request served from the cache emits none (see `handle.stats()`). Default
   * is none.
   */
  onEvent?: ClientCredentialsEventListener | undefined;
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
  retryOnUnauthorized?: boolean | undefined;
  /**
   * The HTTP statuses of an API answer that mean our token was rejected and trigger the renewal and
   * the one replay of {@link retryOnUnauthorized}, e.g. `[401, 403]` for APIs that answer a revoked
   * or expired token with 403 (Django OAuth Toolkit's stock `ProtectedResourceView`). A challenge
   * with `error="insufficient_scope"` never triggers it; a request is still replayed once at most.
   * Default is `[401]` (RFC 6750 §3.1).
   */
  renewOnStatus?: readonly number[] | undefined;
  /**
   * Whether an API request's error that reaches the caller loses our access token and DPoP proof:
   * they are dropped from `error.config.headers` and blanked in the sent-request objects, so
   * `util.inspect(error)`, `JSON.stringify(error)` and `error.toJSON()` show neither. Retrying
   * `error.config` through the instance still works: each pass gets the token anew. Set `false`
   * to get the error exactly as axios made it. Default is `true`.
   */
  redactErrors?: boolean | undefined;
  /**
   * Maps a successful token response's parsed JSON body to the RFC 6749 §5.1 fields
   * (`access_token`, `token_type`, `expires_in`, `scope`) before the strict checks run, for
   * providers that answer outside the RFC: the token in an envelope, no `token_type`, `expires_at`
   * instead of `expires_in`. Error answers (§5.2) are not mapped. A mapper that throws or returns
   * no plain object fails with `TOKEN_RESPONSE_INVALID`. Default is none.
   */
  mapTokenResponse?: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined;
  /**
   * How the token request body is sent: `'form'` (`application/x-www-form-urlencoded`, RFC 6749
   * §4.4.2) or `'json'` (`application/json`, one object with the same parameters, a repeated
   * `resource` as an array, `client_secret_post` fields included) for token endpoints that refuse
   * forms. Default is `'form'`.
   */
  tokenRequestBody?: 'form' | 'json' | undefined;
  /** Allows an `http:` token URL on a non-loopback host (RFC 6749 §3.2 requires TLS). Default is `false`. */
  allowHttpTokenUrl?: boolean | undefined;
  /**
   * DPoP (RFC 9449): tokens bound to a key pair, each request carrying a fresh signed proof. The
   * value of `dpop()` from `axios-client-credentials/dpop`: `dpop()` generates a P-256 key pair,
   * `dpop({ privateKey, publicKey })` takes your own (P-256 or Ed25519; `CryptoKey`, `KeyObject`,
   * JWK or PEM). The key's thumbprint is part of the cache key. Only that subpath loads the DPoP
   * code. Default is none: Bearer tokens.
   */
  dpop?: DPoPOption | false | undefined;
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
  storeTimeoutMs: number;
  tokenClient: AxiosInstance | undefined;
  /** The listed origins, normalised; `'*'` for every origin. */
  origins: string[] | '*';
  refreshBeforeExpiryMs: number;
  defaultLifetimeMs: number;
  tokenRequestTimeoutMs: number;
  tokenAcquisitionTimeoutMs: number;
  maxAccessTokenLength: number;
  retryOnUnauthorized: boolean;
  renewOnStatus: number[];
  mapTokenResponse: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined;
  tokenRequestBody: 'form' | 'json';
  redactErrors: boolean;
  tokenRequestRetries: number;
  tokenRequestRetryMaxDelayMs: number;
  errorCooldownMs: number;
  onEvent: ClientCredentialsEventListener | undefined;
  /**
   * The one clock (wall time for expiry, monotonic time for durations). Internal: specs inject it
   * through the undocumented `clock` option. Default is the system clock.
   */
  clock: Clock;
  /** The installation's name, defaulted. */
  name: string;
  /** The token scheme `dpop` plugs in, made per installation; undefined for Bearer. */
  dpop: TokenSchemeFactory | undefined;
}
