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
  /**
   * The one-way fingerprint of the client's credentials (see `ResolvedClientAuth.credential`): a token is
   * bound to the credential that earned it, so a wrong or rotated secret is checked by the token
   * endpoint at once instead of being served another installation's token.
   */
  credential: string;
  /**
   * The token scheme's part (`TokenScheme#cacheKeyPart`), such as a DPoP key's thumbprint: a token
   * bound to one key is useless to another. Default is none.
   */
  schemePart?: readonly [string, string] | undefined;
}

/**
 * The store key for a configuration: a SHA-256 digest of its parts in canonical form (scopes and
 * resources sorted and de-duplicated, extra parameters sorted by name). The credentials take part
 * only as a one-way fingerprint, and the key is a digest of it all, so whoever reads the store
 * learns neither a secret nor anything to test a guess of one against cheaply beyond the digest.
 * Version `v2` added the fingerprint: keys of `v1` are orphaned once (one exchange per key).
 */
export function cacheKey(parts: CacheKeyParts): string {
  const canonical = JSON.stringify([
    'v2',
    parts.tokenUrl,
    parts.clientId,
    parts.clientAuthMethod,
    [...new Set(parts.scopes)].sort(),
    [...new Set(parts.resources)].sort(),
    parts.audience ?? null,
    parts.credential,
    // Names in UTF-16 code-unit order, as the default sort (and `<`) compares strings; names are
    // unique, so a comparator would only add a tie branch no sort can reach.
    Object.keys(parts.extraParams)
      .sort()
      .map((name) => [name, parts.extraParams[name]]),
    // Appended only when the scheme has a part, so keys of Bearer configurations stay what they were.
    ...(parts.schemePart === undefined ? [] : [parts.schemePart]),
  ]);
  return `axios-client-credentials:${createHash('sha256').update(canonical).digest('base64url')}`;
}
