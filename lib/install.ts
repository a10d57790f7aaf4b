import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { ClientCredentialsStats } from './events';
import { createExchange, exchangeBoundMs, type Exchange } from './exchange';
import { createResponseObserver, createUnauthorizedHandler } from './interceptors';
import { lockFor } from './lock';
import type { ClientCredentialsOptions, ResolvedOptions } from './options';
import { resolveOptions } from './resolve-options';
import { createRequestInterceptor } from './request-interceptor';
import { isAxiosInstance } from './validate';
import { createOriginPolicy } from './origins';
import { defaultTokenStore } from './stores/memory';
import { storeKeys } from './store-keys';
import { storeLockTiming } from './store-lock';
import { storeTimeouts } from './stores/guarded';
import { Telemetry } from './telemetry';
import { TokenManager } from './token-manager';
import { TokenManagers } from './token-managers';
import type { TokenParameters } from './token-parameters';
import { bearerScheme } from './token-scheme';
import type { AccessToken, ClientCredentialsHandle } from './types';

const installed = new WeakSet<AxiosInstance>();

type RequestInterceptor = ReturnType<typeof createRequestInterceptor>;

/** An exchange made on its first call: a parameter set that only ever reads cached tokens costs none of it. */
function lazily(make: () => Exchange): Exchange {
  let exchange: Exchange | undefined;
  return (how) => (exchange ??= make())(how);
}

/** What an installation builds on first use: counters, token managers and interceptor logic. */
interface Wiring {
  readonly telemetry: Telemetry;
  readonly managers: TokenManagers;
  readonly onRequest: RequestInterceptor;
  readonly onError: (error: unknown) => Promise<AxiosResponse>;
  /** The token scheme's look at API answers (DPoP's nonces), if it has one. */
  readonly observe: ((response: AxiosResponse) => AxiosResponse) | undefined;
}

function wire(instance: AxiosInstance, resolved: ResolvedOptions, baseURL: string | undefined): Wiring {
  const store = resolved.store ?? defaultTokenStore();
  const telemetry = new Telemetry({
    name: resolved.name,
    listener: resolved.onEvent,
    monotonicNow: resolved.clock.monotonic,
  });
  // Bearer unless a scheme was plugged in (dpop() of the ./dpop subpath): it owns what varies.
  const scheme = resolved.dpop?.(instance, resolved.clock) ?? bearerScheme();
  // The credentials' fingerprints were computed at install, when the strategies were bound.
  const keyFor = storeKeys(resolved, scheme);
  const lock = lockFor(store);
  const storeTimeoutsMs = storeTimeouts(resolved.storeTimeoutMs);
  // A waiter waits as long as the lock's holder may legitimately take: its whole exchange.
  const storeLock = storeLockTiming(exchangeBoundMs(resolved), storeTimeoutsMs);
  // Built on the first exchange: an installation that only reads cached tokens costs none of it.
  let exchanges: ReturnType<typeof createExchange> | undefined;
  const own = { scopes: resolved.scopes, resources: resolved.resources, audience: resolved.audience };
  const managers = new TokenManagers(
    own,
    (parameters) =>
      new TokenManager({
        telemetry,
        key: keyFor(parameters),
        store,
        lock,
        refreshBeforeExpiryMs: resolved.refreshBeforeExpiryMs,
        clock: resolved.clock,
        storeLock,
        storeTimeoutsMs,
        exchange: lazily(() => (exchanges ??= createExchange(resolved, telemetry, scheme))(parameters)),
      }),
  );
  const onRequest = createRequestInterceptor(
    managers,
    createOriginPolicy(baseURL, resolved.origins, (origin) => telemetry.tokenWithheld(origin)),
    scheme,
    () => telemetry.authorizationReplaced(),
  );
  const onError = createUnauthorizedHandler(instance, {
    renew: resolved.retryOnUnauthorized,
    renewOnStatus: resolved.renewOnStatus,
    redact: resolved.redactErrors,
    onReplay: telemetry.replayed.bind(telemetry),
    scheme,
  });
  return { telemetry, managers, onRequest, onError, observe: createResponseObserver(scheme) };
}

/** The handle's methods as plain functions: they work detached from the handle. */
interface HandleFunctions {
  readonly getToken: (tokenParameters?: TokenParameters) => Promise<AccessToken>;
  readonly stats: () => ClientCredentialsStats;
  readonly invalidate: (tokenParameters?: TokenParameters) => Promise<void>;
  readonly eject: () => void;
}

/**
 * One installation, which is also its handle. Per installation it holds a few fields and the
 * interceptors (bound methods); the rest is built on its first request or handle call, so a
 * thousand instances sharing one configuration cost little more than the instances themselves.
 */
class Installation implements ClientCredentialsHandle {
  readonly #instance: AxiosInstance;
  readonly #resolved: ResolvedOptions;
  /** The instance's `baseURL` at install: its origin may receive the token. */
  readonly #baseURL: string | undefined;
  readonly #requestId: number;
  readonly #responseId: number | undefined;
  #wiring: Wiring | undefined;
  #ejected = false;
  /** The handle's methods, bound on first read (see {@link Installation.getToken}). */
  #bound: HandleFunctions | undefined;

  constructor(instance: AxiosInstance, resolved: ResolvedOptions) {
    this.#instance = instance;
    this.#resolved = resolved;
    this.#baseURL = instance.defaults.baseURL;
    this.#requestId = instance.interceptors.request.use(this.#request.bind(this));
    this.#responseId =
      // A plugged-in scheme (DPoP) reads every API answer; Bearer needs no fulfilled handler.
      resolved.retryOnUnauthorized || resolved.redactErrors || resolved.dpop !== undefined
        ? instance.interceptors.response.use(
            resolved.dpop === undefined ? undefined : this.#response.bind(this),
            this.#responseError.bind(this),
          )
        : undefined;
  }

  #wired(): Wiring {
    return (this.#wiring ??= wire(this.#instance, this.#resolved, this.#baseURL));
  }

  #request(config: InternalAxiosRequestConfig): ReturnType<RequestInterceptor> {
    return this.#wired().onRequest(config);
  }

  #response(response: AxiosResponse): AxiosResponse {
    const observe = this.#wired().observe;
    return observe === undefined ? response : observe(response);
  }

  #responseError(error: unknown): Promise<AxiosResponse> {
    return this.#wired().onError(error);
  }

  /**
   * The handle's methods are read through getters that bind them on first read: `const { getToken }
   * = handle` works as with plain functions, and a handle whose methods are never read holds none.
   */
  get getToken(): HandleFunctions['getToken'] {
    return this.#methods().getToken;
  }

  get stats(): HandleFunctions['stats'] {
    return this.#methods().stats;
  }

  get invalidate(): HandleFunctions['invalidate'] {
    return this.#methods().invalidate;
  }

  get eject(): HandleFunctions['eject'] {
    return this.#methods().eject;
  }

  #methods(): HandleFunctions {
    return (this.#bound ??= {
      getToken: this.#getToken.bind(this),
      stats: this.#stats.bind(this),
      invalidate: this.#invalidate.bind(this),
      eject: this.#eject.bind(this),
    });
  }

  async #getToken(tokenParameters?: TokenParameters): Promise<AccessToken> {
    return this.#wired().managers.for(tokenParameters).acquire();
  }

  #stats(): ClientCredentialsStats {
    return this.#wired().telemetry.stats();
  }

  async #invalidate(tokenParameters?: TokenParameters): Promise<void> {
    return this.#wired().managers.for(tokenParameters).invalidate();
  }

  #eject(): void {
    if (this.#ejected) return;
    this.#ejected = true;
    const instance = this.#instance;
    instance.interceptors.request.eject(this.#requestId);
    if (this.#responseId !== undefined) instance.interceptors.response.eject(this.#responseId);
    installed.delete(instance);
  }
}

/**
 * Makes every request of `instance` carry an OAuth 2.0 access token obtained with the client
 * credentials grant (RFC 6749 §4.4). Concurrent requests share one token exchange; tokens are
 * renewed before they expire; a 401 drops the rejected token and replays the request once.
 *
 * @param instance The axios instance to authenticate, e.g. one `axios.create({ baseURL })` per API.
 * @param options See {@link ClientCredentialsOptions}.
 * @returns A handle to read or drop the token and to remove the interceptors.
 * @throws {TypeError} When an option is invalid (the message names it) or the instance already has an installation.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @example
 * ```ts
 * const billing = axios.create({ baseURL: 'https://billing.example.com' });
 * const auth = installClientCredentials(billing, {
 *   tokenUrl: 'https://auth.example.com/oauth/token',
 *   clientId: process.env.BILLING_CLIENT_ID!,
 *   clientSecret: process.env.BILLING_CLIENT_SECRET!,
 *   scope: ['invoices:read'],
 * });
 * await billing.get('/invoices'); // Authorization: Bearer <token>
 * ```
 */
export function installClientCredentials(
  instance: AxiosInstance,
  options: ClientCredentialsOptions,
): ClientCredentialsHandle {
  if (!isAxiosInstance(instance)) throw new TypeError('"instance" must be an axios instance');
  const resolved = resolveOptions(instance, options);
  if (installed.has(instance)) {
    throw new TypeError(
      'this axios instance already has installClientCredentials(); call eject() on the earlier handle first',
    );
  }
  const installation = new Installation(instance, resolved);
  installed.add(instance);
  return installation;
}
