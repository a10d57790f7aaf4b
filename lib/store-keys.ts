import { cacheKey } from './cache-key';
import type { SecretSource } from './client-auth/secret-source';
import { deadlineIn, untilDeadline } from './deadline';
import type { ResolvedOptions } from './options';
import type { CredentialBoundKey } from './token-manager';
import type { ResolvedTokenParameters } from './token-parameters';
import { acquisitionTimeout } from './token-endpoint';
import type { TokenScheme } from './token-scheme';

/**
 * The cache key. With discovery the issuer stands in for the token URL, and the method, when
 * discovery picks it, for "whichever of these the server supports". That is equivalent: the
 * metadata must name this issuer (RFC 8414 §3.3), so the issuer determines the authorization
 * server and its token endpoint, and the same options against the same metadata pick the same
 * method. The credentials enter as one-way fingerprints of every credential the options hold,
 * whichever method ends up using them. It also keeps the key synchronous, known at install time before any metadata is.
 */
function storeKey(
  resolved: ResolvedOptions,
  parameters: ResolvedTokenParameters,
  credential: string,
  schemePart: TokenScheme['cacheKeyPart'],
): string {
  return cacheKey({
    ...resolved,
    ...parameters,
    tokenUrl: resolved.tokenUrl ?? resolved.issuer ?? '',
    clientAuthMethod: resolved.clientAuthMethod ?? `auto:${resolved.candidateMethods.join(' ')}`,
    credential,
    schemePart,
  });
}

/**
 * The key of a secret from a provider: computed from the fingerprint of the value the provider
 * last returned, so a rotated secret moves to a new cache entry (and never finds a token its old
 * secret earned), and two processes whose providers disagree share nothing. Before the provider
 * was first asked there is no key: the first acquisition asks it (once for a burst), then reads.
 */
function secretBoundKey(
  source: SecretSource,
  keyFor: (fingerprint: string) => string,
  read: () => Promise<string>,
): CredentialBoundKey {
  let version = -1;
  let key: string | undefined;
  let pending: Promise<string> | undefined;
  const current = (): string | undefined => {
    if (source.version !== version) {
      version = source.version;
      key = source.fingerprint === undefined ? undefined : keyFor(source.fingerprint);
    }
    return key;
  };
  const resolve = (): Promise<string> =>
    (pending ??= read().then(
      () => {
        pending = undefined;
        return current()!;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    ));
  return { current, resolve };
}

/**
 * The store key of each parameter set of an installation: fixed, or with a secret from a provider
 * following the value it last returned (see {@link secretBoundKey}). The fingerprints of the
 * credentials fixed at install were computed once, when the strategies were bound.
 */
export function storeKeys(
  resolved: ResolvedOptions,
  scheme: TokenScheme,
): (parameters: ResolvedTokenParameters) => string | CredentialBoundKey {
  const { credential, secretSource: source } = resolved;
  // The first read is part of the acquisition: a provider that never answers ends at its deadline.
  const read = async (): Promise<string> => {
    const deadline = deadlineIn(resolved.tokenAcquisitionTimeoutMs, resolved.clock);
    try {
      return await untilDeadline(source!.read(), deadline, () => acquisitionTimeout(deadline));
    } finally {
      deadline.release();
    }
  };
  return (parameters) =>
    source === undefined
      ? storeKey(resolved, parameters, credential, scheme.cacheKeyPart)
      : secretBoundKey(
          source,
          (secret) =>
            storeKey(
              resolved,
              parameters,
              [credential, `secret:${secret}`].filter(Boolean).join(' '),
              scheme.cacheKeyPart,
            ),
          read,
        );
}
