import type { JsonWebKey, KeyObject, webcrypto } from 'node:crypto';
import { jwsSigner, toKeyObject } from '../jws';
import { fail } from '../validate';

/**
 * A private key for `private_key_jwt`: a PKCS#8 PEM string (`-----BEGIN PRIVATE KEY-----`), a
 * private JWK object (with `d`), a Node.js `KeyObject` or a WebCrypto `CryptoKey` of type `private`.
 */
export type PrivateKeyInput = string | JsonWebKey | KeyObject | webcrypto.CryptoKey;

/** JWS algorithms for `private_key_jwt` (RFC 7518 §3, RFC 8037, RFC 9864 for `Ed25519`). */
export type AsymmetricSigningAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519';

/** JWS algorithms for `client_secret_jwt`: HMAC with SHA-2 over the client secret (RFC 7518 §3.2). */
export type HmacSigningAlgorithm = 'HS256' | 'HS384' | 'HS512';

/** A JWS algorithm for a client assertion; which ones apply depends on the method and the key. */
export type SigningAlgorithm = AsymmetricSigningAlgorithm | HmacSigningAlgorithm;

/** A validated signing key. The key stays a `KeyObject`, which never prints its material. */
export interface SigningKey {
  readonly key: KeyObject;
  readonly alg: AsymmetricSigningAlgorithm;
  readonly kid: string | undefined;
}

const RSA: AsymmetricSigningAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const CURVES: Record<string, AsymmetricSigningAlgorithm> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};
export const HMAC_ALGORITHMS: readonly HmacSigningAlgorithm[] = ['HS256', 'HS384', 'HS512'];

/** The algorithms a key can sign with, preferred first. */
function algorithmsFor(key: KeyObject): { label: string; algorithms: AsymmetricSigningAlgorithm[] } {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      // RFC 7518 §3.3: a key of size 2048 bits or larger MUST be used.
      if ((details.modulusLength ?? 0) < 2048) fail('privateKey', 'must be an RSA key of at least 2048 bits');
      return {
        label: 'an RSA key',
        algorithms: key.asymmetricKeyType === 'rsa' ? RSA : RSA.filter((a) => a.startsWith('PS')),
      };
    case 'ec': {
      const alg = CURVES[details.namedCurve ?? ''];
      if (alg === undefined) fail('privateKey', 'must be an EC key on P-256, P-384 or P-521');
      return { label: `a ${details.namedCurve ?? 'EC'} key`, algorithms: [alg] };
    }
    case 'ed25519':
      return { label: 'an Ed25519 key', algorithms: ['EdDSA', 'Ed25519'] };
    default:
      return fail('privateKey', 'must be an RSA, EC (P-256, P-384, P-521) or Ed25519 key');
  }
}

/**
 * Validates a `private_key_jwt` key and picks its algorithm: `signingAlgorithm` when given, else
 * the JWK's `alg`, else RS256 for RSA (PS256 for RSA-PSS), ES256/ES384/ES512 by curve, EdDSA for
 * Ed25519. The `kid` is `keyId`, else the JWK's `kid`.
 *
 * @throws {TypeError} naming `privateKey`, `signingAlgorithm` or `keyId` when they do not fit.
 */
export function resolveSigningKey(input: unknown, signingAlgorithm: unknown, keyId: unknown): SigningKey {
  const { key, jwk } = toKeyObject(input, 'private', '"privateKey" option');
  const jwkAlg = typeof jwk?.['alg'] === 'string' ? jwk['alg'] : undefined;
  const jwkKid = typeof jwk?.['kid'] === 'string' && jwk['kid'] !== '' ? jwk['kid'] : undefined;
  const { label, algorithms } = algorithmsFor(key);
  if (keyId !== undefined && (typeof keyId !== 'string' || keyId === '')) fail('keyId', 'must be a non-empty string');
  if (signingAlgorithm !== undefined && typeof signingAlgorithm !== 'string')
    fail('signingAlgorithm', 'must be a string');
  if (signingAlgorithm !== undefined && jwkAlg !== undefined && signingAlgorithm !== jwkAlg)
    fail('signingAlgorithm', `"${signingAlgorithm}" differs from the JWK's "alg" "${jwkAlg}"`);
  const alg = (signingAlgorithm ?? jwkAlg ?? algorithms[0]) as AsymmetricSigningAlgorithm;
  if (!algorithms.includes(alg)) {
    const name = signingAlgorithm === undefined ? 'privateKey' : 'signingAlgorithm';
    const allowed = algorithms.map((a) => `"${a}"`).join(', ');
    fail(name, `"${alg}" cannot be used with ${label}; use ${allowed}`);
  }
  // A trial signature: a key that cannot sign with `alg` (an RSA-PSS key restricted to another
  // hash, a key OpenSSL refuses) fails here, at install, rather than at the first token request.
  try {
    jwsSigner(alg, key)('trial');
  } catch {
    fail(signingAlgorithm === undefined ? 'privateKey' : 'signingAlgorithm', `cannot sign "${alg}" with ${label}`);
  }
  const kid = keyId ?? jwkKid;
  return { key, alg, kid };
}

/**
 * The `client_secret_jwt` algorithm: `signingAlgorithm` when given, else HS256.
 *
 * @throws {TypeError} naming `signingAlgorithm` when it is not an HMAC algorithm.
 */
export function resolveHmacAlgorithm(signingAlgorithm: unknown): HmacSigningAlgorithm {
  if (signingAlgorithm === undefined) return 'HS256';
  if (!HMAC_ALGORITHMS.includes(signingAlgorithm as HmacSigningAlgorithm))
    fail('signingAlgorithm', 'must be "HS256", "HS384" or "HS512" with "client_secret_jwt"');
  return signingAlgorithm as HmacSigningAlgorithm;
}
