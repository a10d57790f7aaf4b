import type { AxiosInstance } from 'axios';
import { CLIENT_AUTH_METHODS, type ClientAuthMethod } from './client-auth';
import type { TokenStore } from './types';

/** Options of {@link installClientCredentials}. */
export interface ClientCredentialsOptions {
  /** The token endpoint, an absolute `https:` URL (`http:` only on loopback or with {@link allowHttpTokenUrl}). */
  tokenUrl: string;
  /** The client identifier (RFC 6749 §2.2). */
  clientId: string;
  /** The client secret. Required by `client_secret_basic` and `client_secret_post`. */
  clientSecret?: string;
  /** How the client authenticates at the token endpoint. Default is `'client_secret_basic'` (RFC 6749 §2.3.1). */
  clientAuthMethod?: ClientAuthMethod;
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
   * Whether a 401 answer to a request that carried our token drops that token, renews it and replays
   * the request once (RFC 6750 §3.1). Default is `true`.
   */
  retryOnUnauthorized?: boolean;
  /** Allows an `http:` token URL on a non-loopback host (RFC 6749 §3.2 requires TLS). Default is `false`. */
  allowHttpTokenUrl?: boolean;
}

/** Options after validation, with defaults applied and values normalised. */
export interface ResolvedOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  clientAuthMethod: ClientAuthMethod;
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
}

const KNOWN_OPTIONS = new Set<string>([
  'tokenUrl',
  'clientId',
  'clientSecret',
  'clientAuthMethod',
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

function isClientAuthMethod(value: unknown): value is ClientAuthMethod {
  return CLIENT_AUTH_METHODS.includes(value as ClientAuthMethod);
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

  const tokenUrl = parseUrl('tokenUrl', options['tokenUrl']);
  if (tokenUrl.protocol !== 'https:' && tokenUrl.protocol !== 'http:') fail('tokenUrl', 'must be an http(s) URL');
  if (tokenUrl.hash !== '') fail('tokenUrl', 'must not include a fragment (RFC 6749 §3.2)');
  if (tokenUrl.username !== '' || tokenUrl.password !== '')
    fail('tokenUrl', 'must not include credentials; use "clientId" and "clientSecret"');
  const allowHttp = options['allowHttpTokenUrl'];
  if (allowHttp !== undefined && typeof allowHttp !== 'boolean') fail('allowHttpTokenUrl', 'must be a boolean');
  if (tokenUrl.protocol === 'http:' && !LOOPBACK_HOST.test(tokenUrl.hostname) && allowHttp !== true) {
    fail('tokenUrl', 'must use https: outside loopback (RFC 6749 §3.2); set "allowHttpTokenUrl" to allow http:');
  }

  const clientId = optionalString('clientId', options['clientId']) ?? fail('clientId', 'is required');
  const method = options['clientAuthMethod'] ?? 'client_secret_basic';
  if (!isClientAuthMethod(method))
    fail('clientAuthMethod', `must be one of ${CLIENT_AUTH_METHODS.map((m) => `"${m}"`).join(', ')}`);
  const clientSecret =
    optionalString('clientSecret', options['clientSecret']) ?? fail('clientSecret', `is required by "${method}"`);

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

  const retry = options['retryOnUnauthorized'];
  if (retry !== undefined && typeof retry !== 'boolean') fail('retryOnUnauthorized', 'must be a boolean');
  const audience = optionalString('audience', options['audience']);

  return {
    tokenUrl: tokenUrl.href,
    clientId,
    clientSecret,
    clientAuthMethod: method,
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
  };
}
