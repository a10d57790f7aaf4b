import { createHash } from 'node:crypto';

/** What identifies a token: everything that changes which token the token endpoint hands out. */
export interface CacheKeyParts {
  tokenUrl: string;
  clientId: string;
  clientAuthMethod: string;
  scopes: readonly string[];
  resources: readonly string[];
  audience: string | undefined;
  extraParams: Readonly<Record<string, string>>;
  /** The DPoP key's RFC 7638 thumbprint: a token bound to one key is useless to another. Default is none. */
  dpopThumbprint?: string | undefined;
}

/**
 * The store key for a configuration: a SHA-256 digest of its parts in canonical form (scopes and
 * resources sorted and de-duplicated, extra parameters sorted by name). Secrets are not part of
 * it: a secret does not change which token you get, and a key may be visible to whoever reads the
 * store.
 */
export function cacheKey(parts: CacheKeyParts): string {
  const canonical = JSON.stringify([
    'v1',
    parts.tokenUrl,
    parts.clientId,
    parts.clientAuthMethod,
    [...new Set(parts.scopes)].sort(),
    [...new Set(parts.resources)].sort(),
    parts.audience ?? null,
    Object.entries(parts.extraParams).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    // Appended only with DPoP, so keys of Bearer configurations stay what they were.
    ...(parts.dpopThumbprint === undefined ? [] : [['dpop', parts.dpopThumbprint]]),
  ]);
  return `axios-client-credentials:${createHash('sha256').update(canonical).digest('base64url')}`;
}
