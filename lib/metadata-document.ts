import { DiscoveryError } from './errors';
import type { DiscoverySettings } from './metadata';
import { parseJsonObject } from './token-response';
import { LOOPBACK_HOST } from './validate';

/** The members of authorization server metadata (RFC 8414 §2, RFC 8705 §5) this library reads. */
export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly token_endpoint: string;
  readonly token_endpoint_auth_methods_supported?: readonly string[];
  readonly mtls_endpoint_aliases?: { readonly token_endpoint?: string };
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
export function validateMetadata(
  data: unknown,
  settings: DiscoverySettings,
  status: number,
): AuthorizationServerMetadata {
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
