import type { AxiosInstance } from 'axios';
import type { Agent } from 'node:https';
import type { ClientAuthMethod } from './client-auth';
import type { AssertionAudience } from './client-auth/jwt';
import type { PrivateKeyInput, SigningAlgorithm } from './client-auth/keys';
import { resolveClientAuth, type ResolvedClientAuth } from './client-auth/resolve';
import type { TlsClientCertificate } from './client-auth/tls';
import { resolveDPoP, type DPoPKeyPair, type DPoPSigner } from './dpop';
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
   * Receives the plugin's events (see {@link ClientCredentialsEvent}): tokens acquired, exchanges
   * failed or retried, renewals, 401 replays, store errors, waits. Events never carry a secret or a
   * token; a listener that throws is ignored. Default is none.
   */
  onEvent?: EventListener;
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
  /** The DPoP signer, when `dpop` is set. */
  dpop: DPoPSigner | undefined;
}

const KNOWN_OPTIONS = new Set<string>([
  'tokenUrl',
  'issuer',
  'clientId',
  'clientSecret',
  'clientAuthMethod',
  'privateKey',
  'keyId',
  'signingAlgorithm',
  'assertionAudience',
  'tls',
  'httpsAgent',
  'scope',
  'audience',
  'resource',
  'extraParams',
  'store',
  'tokenClient',
  'origins',
  'refreshBeforeExpirySeconds',
  'defaultExpiresInSeconds',
  'tokenRequestTimeoutMs',
  'retryOnUnauthorized',
  'allowHttpTokenUrl',
  'tokenRequestRetries',
  'tokenRequestRetryMaxDelayMs',
  'errorCooldownSeconds',
  'onEvent',
  'dpop',
]);

/** Parameters the library sets itself; `extraParams` may not override them. */
const RESERVED_PARAMS = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'scope',
  'resource',
  'audience',
]);

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

function fail(name: string, problem: string): never {
  throw new TypeError(`"${name}" option ${problem}`);
}

function parseUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || value === '') fail(name, 'must be a non-empty string');
  try {
    return new URL(value);
  } catch {
    return fail(name, 'must be an absolute URL');
  }
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') fail(name, 'must be a non-empty string');
  return value;
}

function stringList(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  const list: unknown[] =
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value
        : fail(name, 'must be a string or an array of strings');
  return list.map((item) =>
    typeof item === 'string' && item !== '' ? item : fail(name, 'must hold only non-empty strings'),
  );
}

function seconds(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
    fail(name, `must be a finite number of at least ${min}`);
  return value;
}

/** An http(s) URL as the token endpoint or issuer must be (RFC 6749 §3.2, RFC 8414 §2). */
function serverUrl(name: string, value: unknown, allowHttp: boolean): URL {
  const url = parseUrl(name, value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(name, 'must be an http(s) URL');
  if (url.hash !== '') fail(name, 'must not include a fragment (RFC 6749 §3.2)');
  if (url.username !== '' || url.password !== '')
    fail(name, 'must not include credentials; use "clientId" and "clientSecret"');
  if (url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname) && !allowHttp) {
    fail(name, 'must use https: outside loopback (RFC 6749 §3.2); set "allowHttpTokenUrl" to allow http:');
  }
  return url;
}

export function isAxiosInstance(value: unknown): value is AxiosInstance {
  if (typeof value !== 'function') return false;
  const candidate = value as unknown as Record<string, unknown>;
  return typeof candidate['request'] === 'function' && typeof candidate['interceptors'] === 'object';
}

/**
 * Validates options at install time and applies defaults.
 *
 * @throws {TypeError} naming the first invalid option.
 */
export function resolveOptions(instance: AxiosInstance, input: unknown): ResolvedOptions {
  if (typeof input !== 'object' || input === null) throw new TypeError('options must be an object');
  const options = input as Record<string, unknown>;
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw new TypeError(`unknown option "${name}"`);
  }

  const allowHttp = options['allowHttpTokenUrl'];
  if (allowHttp !== undefined && typeof allowHttp !== 'boolean') fail('allowHttpTokenUrl', 'must be a boolean');
  if (options['tokenUrl'] !== undefined && options['issuer'] !== undefined)
    fail('issuer', 'cannot be combined with "tokenUrl": give the issuer for discovery, or the token URL');
  if (options['tokenUrl'] === undefined && options['issuer'] === undefined)
    fail('tokenUrl', 'is required, or "issuer" to discover it');
  const tokenUrl =
    options['tokenUrl'] === undefined ? undefined : serverUrl('tokenUrl', options['tokenUrl'], allowHttp === true);
  // Kept exactly as given: RFC 8414 §3.3 compares the metadata's issuer with it character for character.
  const issuer = options['issuer'] === undefined ? undefined : (options['issuer'] as string);
  if (issuer !== undefined && serverUrl('issuer', issuer, allowHttp === true).search !== '')
    fail('issuer', 'must not include a query (RFC 8414 §2)');

  const clientId = optionalString('clientId', options['clientId']) ?? fail('clientId', 'is required');

  const scopeInput = options['scope'];
  const scopes =
    typeof scopeInput === 'string' ? scopeInput.split(/\s+/).filter(Boolean) : stringList('scope', scopeInput);
  for (const scope of scopes)
    if (!SCOPE_TOKEN.test(scope)) fail('scope', 'holds a scope token with characters RFC 6749 §3.3 does not allow');

  const resources = stringList('resource', options['resource']);
  for (const resource of resources) {
    // RFC 8707 §2: an absolute URI without a fragment.
    if (parseUrl('resource', resource).hash !== '') fail('resource', 'must not include a fragment (RFC 8707 §2)');
  }

  const extraInput = options['extraParams'] ?? {};
  if (typeof extraInput !== 'object' || extraInput === null || Array.isArray(extraInput))
    fail('extraParams', 'must be an object of strings');
  const extraParams: Record<string, string> = {};
  for (const [name, value] of Object.entries(extraInput)) {
    if (typeof value !== 'string') fail('extraParams', `must map "${name}" to a string`);
    if (RESERVED_PARAMS.has(name)) fail('extraParams', `must not set "${name}"; use the dedicated option`);
    extraParams[name] = value;
  }

  const store = options['store'] as TokenStore | undefined;
  if (
    store !== undefined &&
    (typeof store !== 'object' ||
      store === null ||
      ['get', 'set', 'delete'].some((m) => typeof (store as unknown as Record<string, unknown>)[m] !== 'function'))
  ) {
    fail('store', 'must implement get(), set() and delete()');
  }
  const tokenClient = options['tokenClient'];
  if (tokenClient !== undefined && !isAxiosInstance(tokenClient)) fail('tokenClient', 'must be an axios instance');
  if (tokenClient === instance)
    fail('tokenClient', 'must not be the intercepted instance: token requests would carry tokens and loop');

  const origins = stringList('origins', options['origins']).map((origin) => {
    const url = parseUrl('origins', origin);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('origins', 'must hold http(s) origins');
    return url.origin;
  });

  const clientAuth = resolveClientAuth(options, { clientId, issuer, tokenClient });

  const retry = options['retryOnUnauthorized'];
  if (retry !== undefined && typeof retry !== 'boolean') fail('retryOnUnauthorized', 'must be a boolean');
  const audience = optionalString('audience', options['audience']);
  const onEvent = options['onEvent'];
  if (onEvent !== undefined && typeof onEvent !== 'function') fail('onEvent', 'must be a function');
  const retries = seconds('tokenRequestRetries', options['tokenRequestRetries'], 2, 0);
  if (!Number.isInteger(retries)) fail('tokenRequestRetries', 'must be an integer');

  return {
    ...clientAuth,
    tokenUrl: tokenUrl?.href,
    issuer,
    allowHttpTokenUrl: allowHttp === true,
    scopes: [...new Set(scopes)],
    audience,
    resources: [...new Set(resources)],
    extraParams,
    store,
    tokenClient,
    origins,
    refreshBeforeExpiryMs: seconds('refreshBeforeExpirySeconds', options['refreshBeforeExpirySeconds'], 30, 0) * 1000,
    defaultLifetimeMs: seconds('defaultExpiresInSeconds', options['defaultExpiresInSeconds'], 300, 1) * 1000,
    tokenRequestTimeoutMs: seconds('tokenRequestTimeoutMs', options['tokenRequestTimeoutMs'], 30_000, 1),
    retryOnUnauthorized: retry ?? true,
    tokenRequestRetries: retries,
    tokenRequestRetryMaxDelayMs: seconds(
      'tokenRequestRetryMaxDelayMs',
      options['tokenRequestRetryMaxDelayMs'],
      10_000,
      0,
    ),
    errorCooldownMs: seconds('errorCooldownSeconds', options['errorCooldownSeconds'], 10, 0) * 1000,
    onEvent: onEvent as EventListener | undefined,
    dpop: resolveDPoP(options['dpop']),
  };
}
