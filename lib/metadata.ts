import type { AxiosInstance } from 'axios';
import type { Agent } from 'node:https';
import type { Clock } from './clock';
import { requestSignal, timedOut, timeoutSignal } from './deadline';
import { DiscoveryError } from './errors';
import { validateMetadata, type AuthorizationServerMetadata } from './metadata-document';

export type { AuthorizationServerMetadata } from './metadata-document';

/** Metadata documents larger than this are refused, in bytes. */
const MAX_METADATA_BYTES = 512 * 1024;

/**
 * The metadata URLs to try, in order. RFC 8414 §3.1 inserts the well-known segment between the
 * host and the issuer's path (`https://as/tenant` → `https://as/.well-known/oauth-authorization-server/tenant`);
 * OpenID Connect Discovery 1.0 §4 appends `/.well-known/openid-configuration` to the issuer.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.1
 */
export function metadataUrls(issuer: string): [string, string] {
  const url = new URL(issuer);
  // RFC 8414 §3.1: a terminating "/" of the issuer's path is removed before inserting.
  const path = url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

export interface DiscoverySettings {
  issuer: string;
  client: AxiosInstance;
  /**
   * The deadline of each metadata request, connect to last byte, when the client sets no timeout
   * of its own, in milliseconds.
   */
  timeoutMs: number;
  /** Runs each metadata request's own timeout. Default is the system clock. */
  clock?: Clock | undefined;
  /** Whether the metadata may name `http:` endpoints outside loopback. */
  allowHttp: boolean;
  /** The token requests' agent, so a private CA given with `tls` applies here too. Default is the client's. */
  httpsAgent?: Agent | undefined;
}

/**
 * Fetches and checks the issuer's metadata: the RFC 8414 location first, then the OpenID Connect
 * one when the first does not answer 200. Redirects are never followed: RFC 8414 §3 puts the
 * document at the issuer's own well-known URL, and the §3.3 issuer check only defends against
 * impersonation when it comes from there (another host can name our issuer as easily as we can).
 *
 * @throws {DiscoveryError} `DISCOVERY_FAILED` or `ISSUER_MISMATCH`.
 */
export async function fetchMetadata(settings: DiscoverySettings): Promise<AuthorizationServerMetadata> {
  const { issuer } = settings;
  let status = 0;
  const timeoutMs = settings.client.defaults.timeout || settings.timeoutMs;
  for (const url of metadataUrls(issuer)) {
    let data: unknown;
    const own = timeoutSignal(timeoutMs, settings.clock);
    try {
      ({ status, data } = await settings.client.request<unknown>({
        method: 'GET',
        url,
        headers: { Accept: 'application/json' },
        responseType: 'text',
        transformResponse: [(raw: unknown) => raw],
        validateStatus: () => true,
        maxContentLength: MAX_METADATA_BYTES,
        maxRedirects: 0,
        timeout: timeoutMs,
        // axios' `timeout` only notices an idle socket; this also ends a body trickled in forever.
        signal: requestSignal(settings.client, own),
        ...(settings.httpsAgent === undefined ? {} : { httpsAgent: settings.httpsAgent }),
      }));
    } catch (error) {
      // Only the code: an AxiosError's config is not ours to pass on.
      const { code } = (error ?? {}) as { code?: unknown };
      const reason = typeof code === 'string' ? ` (${code})` : '';
      if (timedOut(own))
        throw new DiscoveryError(
          'DISCOVERY_FAILED',
          `metadata request to ${url} did not complete within ${timeoutMs} ms`,
          { issuer },
        );
      throw new DiscoveryError('DISCOVERY_FAILED', `metadata request to ${url} failed${reason}`, { issuer });
    }
    if (status >= 300 && status < 400)
      throw new DiscoveryError(
        'DISCOVERY_FAILED',
        `metadata request to ${url} was redirected (HTTP ${status}); redirects are not followed, as the metadata must come from the issuer's own well-known URL (RFC 8414 §3)`,
        { issuer, status },
      );
    // RFC 8414 §3.2: the answer is 200; anything else means "not here", so try the next location.
    if (status === 200) return validateMetadata(data, settings, status);
  }
  throw new DiscoveryError(
    'DISCOVERY_FAILED',
    `issuer "${issuer}" has no metadata at /.well-known/oauth-authorization-server or /.well-known/openid-configuration (HTTP ${status})`,
    { issuer, status },
  );
}
