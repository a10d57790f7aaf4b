import type { AxiosInstance } from 'axios';
import type { Agent } from 'node:https';
import { requestSignal, timedOut } from './deadline';
import { DiscoveryError } from './errors';
import { parseJsonObject } from './token-response';

/** The members of authorization server metadata (RFC 8414 §2, RFC 8705 §5) this library reads. */
export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly token_endpoint: string;
  readonly token_endpoint_auth_methods_supported?: readonly string[];
  readonly mtls_endpoint_aliases?: { readonly token_endpoint?: string };
}

/** Metadata documents larger than this are refused, in bytes. */
const MAX_METADATA_BYTES = 512 * 1024;
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

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
    const own = AbortSignal.timeout(timeoutMs);
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

function endpoint(value: unknown, member: string, settings: DiscoverySettings, status: number): string {
  const problem = (detail: string): never => {
    throw new DiscoveryError('DISCOVERY_FAILED', `issuer metadata "${member}" ${detail}`, {
      issuer: settings.issuer,
      status,
    });
  };
  if (typeof value !== 'string') return problem('is not a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem('is not an absolute URL');
  }
  // The same rule as the "tokenUrl" option (RFC 6749 §3.2): TLS, except on loopback.
  const plainAllowed = url.protocol === 'http:' && (LOOPBACK_HOST.test(url.hostname) || settings.allowHttp);
  if (url.protocol !== 'https:' && !plainAllowed) problem('must be an https: URL');
  return value;
}

/**
 * Checks a metadata document. The `issuer` must equal the configured one exactly, character for
 * character, or the document is not used at all: RFC 8414 §3.3 makes this the defence against a
 * server impersonating another one.
 */
function validateMetadata(data: unknown, settings: DiscoverySettings, status: number): AuthorizationServerMetadata {
  const { issuer } = settings;
  // JSON text, or a plain object as a test adapter hands it back: the same checks apply.
  const doc = parseJsonObject(data);
  if (doc === undefined)
    throw new DiscoveryError('DISCOVERY_FAILED', 'issuer metadata is not a JSON object', { issuer, status });
  if (doc['issuer'] !== issuer) {
    const found = typeof doc['issuer'] === 'string' ? `"${doc['issuer'].slice(0, 200)}"` : 'no issuer';
    throw new DiscoveryError(
      'ISSUER_MISMATCH',
      `issuer metadata names ${found}, not the configured "issuer" "${issuer}" (RFC 8414 §3.3)`,
      { issuer, status },
    );
  }
  const methods = doc['token_endpoint_auth_methods_supported'];
  if (methods !== undefined && (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string')))
    throw new DiscoveryError(
      'DISCOVERY_FAILED',
      'issuer metadata "token_endpoint_auth_methods_supported" is not a list of strings',
      { issuer, status },
    );
  const aliases = doc['mtls_endpoint_aliases'];
  const mtlsToken =
    typeof aliases === 'object' && aliases !== null
      ? (aliases as Record<string, unknown>)['token_endpoint']
      : undefined;
  return {
    issuer,
    token_endpoint: endpoint(doc['token_endpoint'], 'token_endpoint', settings, status),
    ...(methods === undefined ? {} : { token_endpoint_auth_methods_supported: methods }),
    ...(mtlsToken === undefined
      ? {}
      : {
          mtls_endpoint_aliases: {
            token_endpoint: endpoint(mtlsToken, 'mtls_endpoint_aliases.token_endpoint', settings, status),
          },
        }),
  };
}
