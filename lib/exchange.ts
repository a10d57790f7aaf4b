import axios, { type AxiosInstance } from 'axios';
import { clientAuthenticationFor, type ClientAuthentication } from './client-auth';
import { Cooldown } from './cooldown';
import { deadlineIn, untilDeadline, type Deadline } from './deadline';
import { discoverTokenEndpoint, type TokenEndpointTarget } from './discovery';
import { DiscoveryError, TokenRequestError } from './errors';
import type { Telemetry } from './telemetry';
import type { ResolvedOptions } from './options';
import { RETRY_BASE_DELAY_MS, withRetries } from './retry';
import { acquisitionTimeout, requestToken } from './token-endpoint';
import { isThenable } from './thenable';
import type { ResolvedTokenParameters } from './token-parameters';
import type { TokenScheme } from './token-scheme';
import type { AccessToken } from './types';

/** The token request's body parameters besides grant_type and client authentication (RFC 6749 §4.4.2, RFC 8707 §2). */
function tokenParams(
  parameters: ResolvedTokenParameters,
  extraParams: Record<string, string>,
): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  if (parameters.scopes.length > 0) params.push(['scope', parameters.scopes.join(' ')]);
  if (parameters.audience !== undefined) params.push(['audience', parameters.audience]);
  for (const resource of parameters.resources) params.push(['resource', resource]);
  for (const [name, value] of Object.entries(extraParams)) params.push([name, value]);
  return params;
}

/**
 * Where token requests go and how they authenticate: the configured `tokenUrl` and method, or
 * what the issuer's metadata says (RFC 8414), discovered on the first exchange.
 */
function endpointResolver(resolved: ResolvedOptions, client: AxiosInstance): () => Promise<TokenEndpointTarget> {
  const { tokenUrl, clientAuthMethod } = resolved;
  if (tokenUrl !== undefined && clientAuthMethod !== undefined) {
    const fixed = Promise.resolve({ tokenUrl, issuer: undefined, method: clientAuthMethod, forget: () => {} });
    return () => fixed;
  }
  const settings = {
    issuer: resolved.issuer ?? '',
    client,
    timeoutMs: resolved.tokenRequestTimeoutMs,
    clock: resolved.clock,
    allowHttp: resolved.allowHttpTokenUrl,
    httpsAgent: resolved.httpsAgent,
  };
  return () =>
    discoverTokenEndpoint(settings, clientAuthMethod, resolved.candidateMethods, resolved.hasClientCertificate);
}

/**
 * `authenticate`, ended by `deadline`: a credential provider (a secret or an assertion from
 * elsewhere) that never answers must not hold the exchange past its deadline. A synchronous
 * authentication stays synchronous.
 */
function boundedBy(deadline: Deadline, authenticate: ClientAuthentication): ClientAuthentication {
  return (request) => {
    const pending = authenticate(request);
    return isThenable(pending)
      ? untilDeadline(Promise.resolve(pending), deadline, () => acquisitionTimeout(deadline))
      : pending;
  };
}

/** Performs one token exchange; `background` when no caller waits for it. */
export type Exchange = (how: { background: boolean }) => Promise<AccessToken>;

/**
 * The longest one {@link Exchange} may take, in milliseconds: its acquisition deadline
 * (`tokenAcquisitionTimeoutMs`), which bounds the metadata fetch, every credential provider call,
 * every attempt and every backoff or `Retry-After` wait between them (a wait that would end after
 * it is not made).
 */
export function exchangeBoundMs(resolved: Pick<ResolvedOptions, 'tokenAcquisitionTimeoutMs'>): number {
  return resolved.tokenAcquisitionTimeoutMs;
}

/**
 * Token exchanges as the token managers ask for them, one {@link Exchange} per parameter set: quota
 * protection first (a client the server rejected a moment ago fails fast), then the token request
 * with its retries, counted and reported. Discovery and client authentication are shared by every
 * set; the cooldown is per set, as `invalid_scope` for one scope says nothing of another.
 *
 * @returns A function giving the exchange of one parameter set; it sends exactly those parameters.
 */
export function createExchange(
  resolved: ResolvedOptions,
  telemetry: Telemetry,
  scheme: TokenScheme,
): (parameters: ResolvedTokenParameters) => Exchange {
  const authenticationFor = clientAuthenticationFor(resolved);
  const tokenClient = resolved.tokenClient ?? axios.create();
  const resolveEndpoint = endpointResolver(resolved, tokenClient);
  return (parameters) =>
    exchangeFor(resolved, telemetry, scheme, {
      authenticationFor,
      tokenClient,
      resolveEndpoint,
      params: tokenParams(parameters, resolved.extraParams),
      requestedScope: parameters.scopes.length > 0 ? parameters.scopes.join(' ') : undefined,
    });
}

interface ExchangeParts {
  authenticationFor: ReturnType<typeof clientAuthenticationFor>;
  tokenClient: AxiosInstance;
  resolveEndpoint: () => Promise<TokenEndpointTarget>;
  params: Array<[string, string]>;
  requestedScope: string | undefined;
}

function exchangeFor(
  resolved: ResolvedOptions,
  telemetry: Telemetry,
  scheme: TokenScheme,
  { authenticationFor, tokenClient, resolveEndpoint, params, requestedScope }: ExchangeParts,
): Exchange {
  // A duration: monotonic, so a wall-clock step back does not stretch it (issue 10, item 5).
  const cooldown = new Cooldown(resolved.errorCooldownMs, resolved.clock.monotonic);
  const retryPolicy = {
    retries: resolved.tokenRequestRetries,
    baseDelayMs: RETRY_BASE_DELAY_MS,
    maxDelayMs: resolved.tokenRequestRetryMaxDelayMs,
  };

  return async ({ background }) => {
    const rejected = cooldown.active();
    if (rejected !== undefined) {
      telemetry.exchangeRefused(rejected);
      throw rejected;
    }
    const run = telemetry.exchangeStarted({ background });
    // One total for the whole acquisition: metadata, every attempt, every wait between them.
    const deadline = deadlineIn(resolved.tokenAcquisitionTimeoutMs, resolved.clock);
    let target: TokenEndpointTarget | undefined;
    try {
      // Inside the try: a DiscoveryError is a failed exchange too, counted and reported as one.
      const endpoint = await untilDeadline(resolveEndpoint(), deadline, () => {
        const total = `${resolved.tokenAcquisitionTimeoutMs} ms`;
        const message = `issuer metadata did not arrive within the ${total} token acquisition deadline`;
        return new DiscoveryError('DISCOVERY_FAILED', message, { issuer: resolved.issuer ?? '' });
      });
      target = endpoint;
      const attempt = (): Promise<AccessToken> => {
        telemetry.tokenRequested(run);
        return requestToken({
          tokenUrl: endpoint.tokenUrl,
          issuer: endpoint.issuer,
          httpsAgent: resolved.httpsAgent,
          params,
          // Called once per attempt: a JWT assertion gets a fresh jti each time.
          authenticate: boundedBy(deadline, authenticationFor(endpoint.method)),
          client: tokenClient,
          timeoutMs: resolved.tokenRequestTimeoutMs,
          deadline,
          maxAccessTokenLength: resolved.maxAccessTokenLength,
          basicEncoding: resolved.basicEncoding,
          mapTokenResponse: resolved.mapTokenResponse,
          tokenRequestBody: resolved.tokenRequestBody,
          defaultLifetimeMs: resolved.defaultLifetimeMs,
          requestedScope,
          now: resolved.clock.now,
          // The scheme signs each attempt anew (a DPoP proof), like the client assertion.
          scheme,
          onNonceRetry: () => telemetry.tokenRequested(run),
        });
      };
      let token: AccessToken;
      try {
        token = await withRetries(retryPolicy, attempt, {
          onRetry: (error: TokenRequestError, retry: number, delayMs: number) =>
            telemetry.exchangeRetrying(run, error, retry, delayMs),
          background,
          deadline,
          clock: resolved.clock,
        });
      } catch (error) {
        // A secret from a provider may have rotated since this exchange asked for it: one more
        // request with the new value before the cooldown starts (issue 14, item 1).
        const source = resolved.secretSource;
        const rotated = source?.rotatedAfter(error);
        if (rotated === undefined || !(await untilDeadline(rotated, deadline, () => acquisitionTimeout(deadline))))
          throw error;
        token = await attempt();
      }
      cooldown.clear();
      telemetry.exchangeSucceeded(run, token, endpoint.tokenUrl, resolved.clock.now());
      return token;
    } catch (error) {
      const cooling = cooldown.record(error);
      telemetry.exchangeFailed(run, error, target?.tokenUrl, cooling ? resolved.errorCooldownMs : undefined);
      // The token endpoint failed rather than answering with an OAuth error: it may have moved,
      // so the next exchange discovers the metadata again.
      if (error instanceof TokenRequestError) target?.forget();
      throw error;
    } finally {
      deadline.release();
    }
  };
}
