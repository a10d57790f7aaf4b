import { resolveDPoP, type DPoPKeyPair } from './dpop';
import { dpopScheme } from './dpop-request';
import { TOKEN_SCHEME, type TokenSchemeFactory, type TokenSchemeOption } from './token-scheme';

export type { DPoPKeyInput, DPoPKeyPair } from './dpop';

/** The `dpop` option's value: a DPoP key pair ready to sign, kept out of logs and JSON. */
export interface DPoPOption extends TokenSchemeOption {
  /** The RFC 7638 JWK SHA-256 thumbprint of the public key, base64url: the tokens' `cnf.jkt`. */
  readonly thumbprint: string;
}

/**
 * DPoP (RFC 9449) for `installClientCredentials()`: tokens bound to a key pair, every token and
 * API request carrying a fresh signed proof, the servers' nonces handled with one retry each. The
 * `./dpop` subpath alone loads this code, so an installation without DPoP neither loads nor
 * bundles it.
 *
 * @param keyPair Your own P-256 (`ES256`) or Ed25519 (`EdDSA`) key pair (`CryptoKey`, `KeyObject`,
 *   JWK or PEM). Default is a P-256 key pair generated now, which never leaves the process.
 * @throws {TypeError} naming the `dpop` option when the key pair is invalid or does not match.
 * @see https://www.rfc-editor.org/rfc/rfc9449
 * @example
 * ```ts
 * import { dpop } from 'axios-client-credentials/dpop';
 * installClientCredentials(api, { tokenUrl, clientId, clientSecret, dpop: dpop() });
 * ```
 */
export function dpop(keyPair?: DPoPKeyPair): DPoPOption {
  if (keyPair !== undefined && (typeof keyPair !== 'object' || keyPair === null))
    throw new TypeError('"dpop" option: dpop() takes nothing or { privateKey, publicKey }');
  const signer = resolveDPoP(keyPair ?? true)!;
  // Each installation gets its own scheme and nonces; the key pair is this value's.
  const factory: TokenSchemeFactory = (instance, clock) => dpopScheme(instance, signer, clock.now);
  return Object.freeze({ thumbprint: signer.thumbprint, [TOKEN_SCHEME]: factory } satisfies DPoPOption);
}
