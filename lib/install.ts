import type { AxiosInstance } from 'axios';
import { createExchange, type Exchange } from './exchange';
import { createResponseObserver, createUnauthorizedHandler } from './interceptors';
import { lockFor } from './lock';
import type { ClientCredentialsOptions, ResolvedOptions } from './options';
import { resolveOptions } from './resolve-options';
import { useRequestInterceptor } from './request-interceptor';
import { isAxiosInstance } from './validate';
import { createOriginPolicy } from './origins';
import { defaultTokenStore } from './stores/memory';
import { storeKeys } from './store-keys';
import { DEFAULT_STORE_LOCK_TIMEOUT_MS } from './stores/guarded';
import { Telemetry } from './telemetry';
import { TokenManager } from './token-manager';
import { TokenManagers } from './token-managers';
import { bearerScheme } from './token-scheme';
import type { ClientCredentialsHandle } from './types';

const installed = new WeakSet<AxiosInstance>();

/**
 * How long a caller waits for the holder of a store's cross-process lock: as long as the holder's
 * whole exchange may take (a metadata fetch too, with discovery, each bounded by the request
 * timeout). The lock itself is a short lease its holder extends while it works, so it need not
 * outlive the exchange: a dead holder's lease lapses within seconds.
 */
function storeLockTiming(resolved: ResolvedOptions): { waitMs: number } {
  const requests = resolved.issuer === undefined ? 1 : 2;
  return { waitMs: requests * resolved.tokenRequestTimeoutMs + 5_000 };
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

  const store = resolved.store ?? defaultTokenStore();
  const telemetry = new Telemetry({ name: resolved.name, listener: resolved.onEvent });
  const scheme = resolved.dpop?.(instance) ?? bearerScheme();
  const lock = lockFor(store);
  const storeLock = storeLockTiming(resolved);
  // The lock is bounded apart from reads and writes: a lock command that answers late is not a
  // failure (the Redis store itself waits up to 5 s for one), so it gets the longer bound.
  const t = resolved.storeTimeoutMs;
  const storeTimeoutsMs = { get: t, set: t, delete: t, lock: Math.max(t, DEFAULT_STORE_LOCK_TIMEOUT_MS) };
  const keyFor = storeKeys(resolved, scheme);
  // Built on the first exchange: an installation that is never used costs none of it.
  let exchanges: ReturnType<typeof createExchange> | undefined;
  const own = { scopes: resolved.scopes, resources: resolved.resources, audience: resolved.audience };
  const managers = new TokenManagers(own, (parameters) => {
    let exchange: Exchange | undefined;
    return new TokenManager({
      telemetry,
      key: keyFor(parameters),
      store,
      lock,
      refreshBeforeExpiryMs: resolved.refreshBeforeExpiryMs,
      clock: resolved.clock,
      storeLock,
      storeTimeoutsMs,
      exchange: (background) =>
        (exchange ??= (exchanges ??= createExchange(resolved, telemetry, scheme))(parameters))(background),
    });
  });

  const baseURL = instance.defaults.baseURL;
  const ejectRequest = useRequestInterceptor(
    instance,
    managers,
    createOriginPolicy(baseURL, resolved.origins, (origin) => telemetry.tokenWithheld(origin)),
    scheme,
    () => telemetry.authorizationReplaced(),
  );
  const onReplay = (): void => telemetry.replayed();
  const responseId =
    resolved.retryOnUnauthorized || resolved.redactErrors || scheme.observe !== undefined
      ? instance.interceptors.response.use(
          createResponseObserver(scheme),
          createUnauthorizedHandler(instance, {
            renew: resolved.retryOnUnauthorized,
            renewOnStatus: resolved.renewOnStatus,
            redact: resolved.redactErrors,
            onReplay,
            scheme,
          }),
        )
      : undefined;
  installed.add(instance);

  let ejected = false;
  return {
    getToken: async (tokenParameters) => managers.for(tokenParameters).acquire(),
    stats: () => telemetry.stats(),
    invalidate: async (tokenParameters) => managers.for(tokenParameters).invalidate(),
    eject: () => {
      if (ejected) return;
      ejected = true;
      ejectRequest();
      if (responseId !== undefined) instance.interceptors.response.eject(responseId);
      installed.delete(instance);
    },
  };
}
