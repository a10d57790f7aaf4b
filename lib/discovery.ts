import type { AxiosInstance } from 'axios';
import { isMutualTlsMethod, type ClientAuthMethod } from './client-auth';
import { DiscoveryError } from './errors';
import { fetchMetadata, type AuthorizationServerMetadata, type DiscoverySettings } from './metadata';

export { metadataUrls, type AuthorizationServerMetadata, type DiscoverySettings } from './metadata';

/** In-flight and settled metadata, per token client and issuer: one fetch however many callers. */
const cache = new WeakMap<AxiosInstance, Map<string, Promise<AuthorizationServerMetadata>>>();

/**
 * The issuer's metadata, fetched once per token client and issuer and shared by every caller,
 * in flight and after. A failed fetch is not kept: the next call fetches again.
 *
 * @throws {DiscoveryError} `DISCOVERY_FAILED` or `ISSUER_MISMATCH`.
 */
export function discover(settings: DiscoverySettings): Promise<AuthorizationServerMetadata> {
  let perClient = cache.get(settings.client);
  if (perClient === undefined) {
    perClient = new Map<string, Promise<AuthorizationServerMetadata>>();
    cache.set(settings.client, perClient);
  }
  const known = perClient.get(settings.issuer);
  if (known !== undefined) return known;
  const pending = fetchMetadata(settings);
  const entries = perClient;
  entries.set(settings.issuer, pending);
  pending.catch(() => forgetMetadata(settings, pending));
  return pending;
}

/** Drops cached metadata, if it is still `stale`, so the next {@link discover} fetches it again. */
export function forgetMetadata(settings: DiscoverySettings, stale: Promise<AuthorizationServerMetadata>): void {
  const perClient = cache.get(settings.client);
  if (perClient?.get(settings.issuer) === stale) perClient.delete(settings.issuer);
}

/** Where a token request goes, as whom it authenticates, and the issuer when known. */
export interface TokenEndpointTarget {
  tokenUrl: string;
  issuer: string | undefined;
  method: ClientAuthMethod;
  /** Drops the metadata this target came from, so the next exchange discovers again. */
  forget(): void;
}

/**
 * Picks the client authentication method: the first of `candidates` (the options' preference)
 * that the server lists. Without `token_endpoint_auth_methods_supported`, RFC 8414 §2 says the
 * default is `client_secret_basic`.
 */
export function selectMethod(
  candidates: readonly ClientAuthMethod[],
  supported: readonly string[] = ['client_secret_basic'],
): ClientAuthMethod | undefined {
  return candidates.find((method) => supported.includes(method));
}

/**
 * The token endpoint for an exchange: from the `issuer`'s metadata, with the method picked by
 * {@link selectMethod} when none is configured, and the RFC 8705 §5 mutual TLS alias when the
 * method is a mutual TLS one or `preferMtlsAlias` says a client certificate is configured.
 *
 * @throws {DiscoveryError} When the metadata cannot be used or no candidate method is supported.
 */
export async function discoverTokenEndpoint(
  settings: DiscoverySettings,
  method: ClientAuthMethod | undefined,
  candidates: readonly ClientAuthMethod[],
  preferMtlsAlias: boolean,
): Promise<TokenEndpointTarget> {
  const pending = discover(settings);
  const metadata = await pending;
  const chosen = method ?? selectMethod(candidates, metadata.token_endpoint_auth_methods_supported);
  if (chosen === undefined) {
    const offered = candidates.map((m) => `"${m}"`).join(', ');
    throw new DiscoveryError(
      'DISCOVERY_FAILED',
      `issuer supports none of the client authentication methods the options allow (${offered}); set "clientAuthMethod"`,
      { issuer: settings.issuer },
    );
  }
  const alias = metadata.mtls_endpoint_aliases?.token_endpoint;
  const useAlias = alias !== undefined && (isMutualTlsMethod(chosen) || preferMtlsAlias);
  return {
    tokenUrl: useAlias ? alias : metadata.token_endpoint,
    issuer: settings.issuer,
    method: chosen,
    forget: () => forgetMetadata(settings, pending),
  };
}
