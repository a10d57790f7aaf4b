import type { AxiosInstance } from 'axios';
import { resolveClientAuth } from './client-auth/resolve';
import { isClock, systemClock } from './clock';
import { ACQUISITION_DEFAULTS, defaultAcquisitionTimeoutMs } from './deadline';
import type { ClientCredentialsEventListener } from './events';
import type { ClientCredentialsOptions, ResolvedOptions } from './options';
import { DEFAULT_STORE_TIMEOUT_MS } from './stores/guarded';
import { DEFAULT_MAX_ACCESS_TOKEN_LENGTH } from './token-response';
import { resolveTokenScheme } from './token-scheme';
import type { TokenStore } from './types';
import { held, stillHeld } from './options-held';
import { requireDestination, resolveOrigins } from './origins';
import { parseResources, parseScopes } from './token-parameters';
import { durationMs, fail, isAxiosInstance, optionalString, numberAtLeast, serverUrl } from './validate';

/**
 * Every option's name, checked by the compiler against {@link ClientCredentialsOptions}: a new
 * option missing here, or a name here that is no option, fails the build.
 */
const OPTION_NAMES = {
  tokenUrl: true,
  issuer: true,
  clientId: true,
  clientAuth: true,
  clientSecret: true,
  clientAssertion: true,
  basicEncoding: true,
  clientAuthMethod: true,
  privateKey: true,
  keyId: true,
  signingAlgorithm: true,
  assertionAudience: true,
  tls: true,
  httpsAgent: true,
  scope: true,
  audience: true,
  resource: true,
  extraParams: true,
  store: true,
  storeTimeoutMs: true,
  tokenClient: true,
  origins: true,
  refreshBeforeExpiryMs: true,
  refreshBeforeExpirySeconds: true,
  defaultExpiresInMs: true,
  defaultExpiresInSeconds: true,
  tokenRequestTimeoutMs: true,
  tokenAcquisitionTimeoutMs: true,
  maxAccessTokenLength: true,
  retryOnUnauthorized: true,
  renewOnStatus: true,
  mapTokenResponse: true,
  tokenRequestBody: true,
  redactErrors: true,
  allowHttpTokenUrl: true,
  tokenRequestRetries: true,
  tokenRequestRetryMaxDelayMs: true,
  errorCooldownMs: true,
  errorCooldownSeconds: true,
  onEvent: true,
  name: true,
  dpop: true,
} as const satisfies Record<keyof ClientCredentialsOptions, true>;

// Internal, for specs: the one clock (lib/clock.ts). Not part of the public options type.
const KNOWN_OPTIONS = new Set<string>([...Object.keys(OPTION_NAMES), 'clock']);

// Each duration option in milliseconds, with its deprecated form in seconds.
type DurationNames = readonly [keyof ClientCredentialsOptions, keyof ClientCredentialsOptions];
const REFRESH_BEFORE_EXPIRY = ['refreshBeforeExpiryMs', 'refreshBeforeExpirySeconds'] as const satisfies DurationNames;
const DEFAULT_EXPIRES_IN = ['defaultExpiresInMs', 'defaultExpiresInSeconds'] as const satisfies DurationNames;
const ERROR_COOLDOWN = ['errorCooldownMs', 'errorCooldownSeconds'] as const satisfies DurationNames;

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

/** The resolution of each options object, with what it held then. */
const resolvedByOptions = new WeakMap<object, { held: readonly unknown[]; resolved: ResolvedOptions }>();

/**
 * Validates the options and resolves them with their defaults, once per options object: the
 * instances of one configuration (one axios instance per tenant or per API client, say) share
 * one immutable resolution, fingerprints and bound client authentication included, instead of
 * each holding a copy. An options object changed since (a value replaced, an array or plain
 * object option changed in place) is resolved again. What depends on the instance is checked for
 * each.
 *
 * @throws {TypeError} naming the invalid option.
 */
export function resolveOptions(instance: AxiosInstance, input: unknown): ResolvedOptions {
  if (typeof input === 'object' && input !== null) {
    const memo = resolvedByOptions.get(input);
    if (memo !== undefined && stillHeld(memo.held, input)) {
      checkInstance(instance, memo.resolved);
      return memo.resolved;
    }
  }
  const resolved = resolveFresh(instance, input);
  resolvedByOptions.set(input as object, { held: held(input as object), resolved });
  return resolved;
}

function checkInstance(instance: AxiosInstance, resolved: ResolvedOptions): void {
  if (resolved.tokenClient === instance)
    fail('tokenClient', 'must not be the intercepted instance: token requests would carry tokens and loop');
  requireDestination(instance, resolved.origins);
}

/**
 * Validates options at install time and applies defaults.
 *
 * @throws {TypeError} naming the first invalid option.
 */
function resolveFresh(instance: AxiosInstance, input: unknown): ResolvedOptions {
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

  const scopes = parseScopes('scope', options['scope'], fail);
  const resources = parseResources('resource', options['resource'], fail);

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
  // A `lock` that is not a function would silently turn the fleet's single flight off.
  if (
    store !== undefined &&
    ['lock', 'waitForUnlock'].some(
      (m) => !['undefined', 'function'].includes(typeof (store as unknown as Record<string, unknown>)[m]),
    )
  )
    fail('store', 'must implement lock() and waitForUnlock() as functions, if at all');
  const clock: unknown = options['clock'] ?? systemClock;
  if (!isClock(clock)) fail('clock', 'must be a clock');
  const tokenClient = options['tokenClient'];
  if (tokenClient !== undefined && !isAxiosInstance(tokenClient)) fail('tokenClient', 'must be an axios instance');
  if (tokenClient === instance)
    fail('tokenClient', 'must not be the intercepted instance: token requests would carry tokens and loop');

  const origins = resolveOrigins(options['origins']);

  const clientAuth = resolveClientAuth(options, { clientId, issuer, tokenClient });

  const retry = options['retryOnUnauthorized'];
  if (retry !== undefined && typeof retry !== 'boolean') fail('retryOnUnauthorized', 'must be a boolean');
  const renewInput = options['renewOnStatus'] ?? [401];
  if (
    !Array.isArray(renewInput) ||
    renewInput.length === 0 ||
    renewInput.some((status) => !Number.isInteger(status) || (status as number) < 400 || (status as number) > 599)
  )
    fail('renewOnStatus', 'must be a non-empty array of HTTP status codes from 400 to 599');
  const mapTokenResponse = options['mapTokenResponse'];
  if (mapTokenResponse !== undefined && typeof mapTokenResponse !== 'function')
    fail('mapTokenResponse', 'must be a function');
  const tokenRequestBody = options['tokenRequestBody'] ?? 'form';
  if (tokenRequestBody !== 'form' && tokenRequestBody !== 'json') fail('tokenRequestBody', 'must be "form" or "json"');
  const redactErrors = options['redactErrors'];
  if (redactErrors !== undefined && typeof redactErrors !== 'boolean') fail('redactErrors', 'must be a boolean');
  const audience = optionalString('audience', options['audience']);
  const onEvent = options['onEvent'];
  if (onEvent !== undefined && typeof onEvent !== 'function') fail('onEvent', 'must be a function');
  // The client id and the server's host name an installation without naming anything secret.
  const name = optionalString('name', options['name']) ?? `${clientId}@${new URL(tokenUrl?.href ?? issuer!).host}`;
  const retries = numberAtLeast('tokenRequestRetries', options['tokenRequestRetries'], ACQUISITION_DEFAULTS.retries, 0);
  if (!Number.isInteger(retries)) fail('tokenRequestRetries', 'must be an integer');
  const requestTimeoutMs = numberAtLeast(
    'tokenRequestTimeoutMs',
    options['tokenRequestTimeoutMs'],
    ACQUISITION_DEFAULTS.requestTimeoutMs,
    1,
  );
  const retryMaxDelayMs = numberAtLeast(
    'tokenRequestRetryMaxDelayMs',
    options['tokenRequestRetryMaxDelayMs'],
    ACQUISITION_DEFAULTS.retryMaxDelayMs,
    0,
  );
  const acquisitionDefault = defaultAcquisitionTimeoutMs({
    requestTimeoutMs: tokenClient?.defaults.timeout || requestTimeoutMs,
    retries,
    retryMaxDelayMs,
    discovery: issuer !== undefined,
  });
  const maxTokenLength = numberAtLeast(
    'maxAccessTokenLength',
    options['maxAccessTokenLength'],
    DEFAULT_MAX_ACCESS_TOKEN_LENGTH,
    1,
  );
  if (!Number.isInteger(maxTokenLength)) fail('maxAccessTokenLength', 'must be an integer');

  // `...clientAuth` goes last: V8's optimized code gives an object literal that starts with a spread
  // a hidden class of its own, so every installation would carry a kilobyte of shape (bench/memory.ts).
  const resolved: ResolvedOptions = {
    tokenUrl: tokenUrl?.href,
    issuer,
    allowHttpTokenUrl: allowHttp === true,
    scopes,
    audience,
    resources,
    extraParams,
    store,
    storeTimeoutMs: numberAtLeast('storeTimeoutMs', options['storeTimeoutMs'], DEFAULT_STORE_TIMEOUT_MS, 1),
    tokenClient,
    origins,
    refreshBeforeExpiryMs: durationMs(options, REFRESH_BEFORE_EXPIRY, 30_000, { ms: 0, seconds: 0 }),
    defaultLifetimeMs: durationMs(options, DEFAULT_EXPIRES_IN, 300_000, { ms: 1, seconds: 1 }),
    tokenRequestTimeoutMs: requestTimeoutMs,
    tokenAcquisitionTimeoutMs: numberAtLeast(
      'tokenAcquisitionTimeoutMs',
      options['tokenAcquisitionTimeoutMs'],
      acquisitionDefault,
      1,
    ),
    maxAccessTokenLength: maxTokenLength,
    retryOnUnauthorized: retry ?? true,
    renewOnStatus: [...new Set(renewInput as number[])],
    mapTokenResponse: mapTokenResponse as ResolvedOptions['mapTokenResponse'],
    tokenRequestBody,
    redactErrors: redactErrors ?? true,
    tokenRequestRetries: retries,
    tokenRequestRetryMaxDelayMs: retryMaxDelayMs,
    errorCooldownMs: durationMs(options, ERROR_COOLDOWN, 10_000, { ms: 0, seconds: 0 }),
    onEvent: onEvent as ClientCredentialsEventListener | undefined,
    clock,
    name,
    dpop: resolveTokenScheme(options['dpop']),
    ...clientAuth,
  };
  requireDestination(instance, origins);
  return resolved;
}
