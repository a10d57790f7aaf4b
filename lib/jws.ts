import {
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  KeyObject,
  sign,
  type JsonWebKey,
  type webcrypto,
} from 'node:crypto';

// JWS compact signing (RFC 7515) and key import on node:crypto alone, shared by client assertions
// and DPoP proofs: synchronous, no WebCrypto global (Node 18 has none), no ESM-only dependency
// (jest's CommonJS mode cannot `import()` one).

/** A key as the options take it: a PEM string, a JWK object, a Node.js `KeyObject` or a WebCrypto `CryptoKey`. */
export type KeyInput = string | JsonWebKey | KeyObject | webcrypto.CryptoKey;

/** The JWS algorithms this library signs with (RFC 7518 §3, RFC 8037, RFC 9864 for `Ed25519`). */
export type JwsAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'
  | 'HS256'
  | 'HS384'
  | 'HS512';

const tagOf = (value: unknown): unknown =>
  typeof value === 'object' && value !== null
    ? (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag]
    : undefined;

/**
 * Turns any accepted key form into a `KeyObject` of `type`, or throws a TypeError that starts with
 * `label` (the option's name). Keys from another realm (a jest sandbox, a worker) are recognised by
 * their tag. Parser messages are dropped on purpose: they may quote key material.
 */
export function toKeyObject(
  input: unknown,
  type: 'private' | 'public',
  label: string,
): { key: KeyObject; jwk: JsonWebKey | undefined } {
  const fail = (problem: string): never => {
    throw new TypeError(`${label} ${problem}`);
  };
  const forms =
    type === 'private'
      ? 'must be a PKCS#8 PEM string, a private JWK, a KeyObject or a CryptoKey'
      : 'must be an SPKI PEM string, a JWK, a KeyObject or a CryptoKey';
  const create = type === 'private' ? createPrivateKey : createPublicKey;
  let key: KeyObject | undefined;
  let jwk: JsonWebKey | undefined;
  if (typeof input === 'object' && input !== null && typeof (input as JsonWebKey).kty === 'string') {
    jwk = input as JsonWebKey;
    if (type === 'private' && typeof jwk.d !== 'string') fail('is a public JWK; a private one (with "d") is required');
  }
  try {
    if (typeof input === 'string') {
      if (input.includes('-----BEGIN')) key = create(input);
    } else if (input instanceof KeyObject || tagOf(input) === 'KeyObject') {
      key = input as KeyObject;
    } else if (tagOf(input) === 'CryptoKey') {
      key = KeyObject.from(input as webcrypto.CryptoKey);
    } else if (jwk !== undefined) {
      key = create({ key: jwk, format: 'jwk' });
    }
  } catch {
    return fail(`could not be read as a ${type} key (is it an unencrypted PEM or a JWK?)`);
  }
  if (key === undefined) return fail(forms);
  if (key.type !== type) fail(`must be a ${type} key, not a ${key.type} key`);
  return { key, jwk };
}

const encoder = new TextEncoder();

/** The base64url JSON of a JWS header or payload (RFC 7515 §7.1). */
export const encodeSegment = (value: unknown): string =>
  Buffer.from(encoder.encode(JSON.stringify(value))).toString('base64url');

/**
 * A function that signs a JWS signing input (`header.payload`) with `alg` and returns the base64url
 * signature. ECDSA signatures are `ieee-p1363` (r‖s), the JOSE form (RFC 7518 §3.4); RSASSA-PSS
 * uses a salt as long as the hash (RFC 7518 §3.5). HMAC takes a secret `KeyObject`.
 */
export function jwsSigner(alg: JwsAlgorithm, key: KeyObject): (input: string) => string {
  const hash = `sha${alg.slice(2)}`;
  switch (alg.slice(0, 2)) {
    case 'HS':
      return (input) => createHmac(hash, key).update(input).digest('base64url');
    case 'RS':
      return (input) => sign(hash, Buffer.from(input), key).toString('base64url');
    case 'PS':
      return (input) =>
        sign(hash, Buffer.from(input), {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        }).toString('base64url');
    case 'ES':
      return (input) => sign(hash, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    default:
      // EdDSA and Ed25519: the curve fixes the hash (RFC 8037 §3.1).
      return (input) => sign(null, Buffer.from(input), key).toString('base64url');
  }
}
