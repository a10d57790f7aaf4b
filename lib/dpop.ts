import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type JsonWebKey,
  type KeyObject,
  type webcrypto,
} from 'node:crypto';
import { encodeSegment, jwsSigner, toKeyObject } from './jws';
import { fail } from './validate';

/** A key as the `dpop` option takes it: a `CryptoKey`, a `KeyObject`, a JWK object or a PEM string. */
export type DPoPKeyInput = webcrypto.CryptoKey | KeyObject | JsonWebKey | string;

/** A DPoP key pair of your own (RFC 9449 §2): P-256 (`ES256`) or Ed25519 (`EdDSA`). */
export interface DPoPKeyPair {
  /** The private key that signs the proofs. Never logged, never part of an error. */
  privateKey: DPoPKeyInput;
  /** Its public key, sent in every proof's header. */
  publicKey: DPoPKeyInput;
}

/** Signs DPoP proofs with one key pair; the private key stays in a private field. */
export interface DPoPSigner {
  /** The RFC 7638 JWK SHA-256 thumbprint of the public key, base64url: the token's `cnf.jkt`. */
  readonly thumbprint: string;
  /**
   * A fresh proof JWT (RFC 9449 §4.2) for one HTTP request.
   *
   * @param htm The request method, upper case.
   * @param url The request URL; its query and fragment are left out of `htu`.
   * @param nonce The server's latest `DPoP-Nonce`, when one is known.
   * @param accessToken The access token the request carries, hashed into `ath` (§4.2, §7).
   * @param now Wall-clock epoch milliseconds for `iat`: the installation's clock. Default is `Date.now()`.
   */
  proof(htm: string, url: string, nonce: string | undefined, accessToken?: string, now?: number): string;
}

/** The public members of a JWK, in RFC 7638 §3.2 order: exactly what the thumbprint hashes. */
function publicJwk(key: KeyObject): { alg: 'ES256' | 'EdDSA'; jwk: Record<string, string> } {
  const { kty, crv, x, y } = key.export({ format: 'jwk' });
  if (kty === 'EC' && crv === 'P-256' && x !== undefined && y !== undefined)
    return { alg: 'ES256', jwk: { crv, kty, x, y } };
  if (kty === 'OKP' && crv === 'Ed25519' && x !== undefined) return { alg: 'EdDSA', jwk: { crv, kty, x } };
  return fail('dpop', 'key pair must be P-256 (ES256) or Ed25519 (EdDSA)');
}

/** RFC 7638: SHA-256 over the canonical JSON of the required members, base64url. */
export function jwkThumbprint(jwk: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(JSON.stringify(jwk)).digest('base64url');
}

/** `htu` is the request URL without query and fragment (RFC 9449 §4.2). */
function htuOf(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

class KeyPairSigner implements DPoPSigner {
  readonly thumbprint: string;
  readonly #header: string;
  readonly #sign: (input: string) => string;

  constructor(privateKey: KeyObject, publicKey: KeyObject) {
    const { alg, jwk } = publicJwk(publicKey);
    this.#sign = jwsSigner(alg, privateKey);
    // Only the public members go into the header (RFC 9449 §4.2: no private key material).
    this.#header = encodeSegment({ typ: 'dpop+jwt', alg, jwk });
    this.thumbprint = jwkThumbprint(jwk);
  }

  proof(htm: string, url: string, nonce: string | undefined, accessToken?: string, now = Date.now()): string {
    const claims: Record<string, string | number> = {
      jti: randomBytes(16).toString('base64url'),
      htm,
      htu: htuOf(url),
      iat: Math.floor(now / 1000),
    };
    if (nonce !== undefined) claims['nonce'] = nonce;
    if (accessToken !== undefined) claims['ath'] = createHash('sha256').update(accessToken).digest('base64url');
    const input = `${this.#header}.${encodeSegment(claims)}`;
    return `${input}.${this.#sign(input)}`;
  }

  toJSON(): object {
    return { thumbprint: this.thumbprint };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `DPoPSigner { thumbprint: '${this.thumbprint}' }`;
  }
}

/**
 * Validates the `dpop` option at install time: `true` generates a P-256 key pair, synchronously,
 * so the thumbprint, part of the cache key, is known before any request. Proofs are dated by the
 * installation's clock (see {@link DPoPSigner.proof}).
 *
 * @throws {TypeError} naming the `dpop` option.
 */
export function resolveDPoP(value: unknown): DPoPSigner | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return new KeyPairSigner(privateKey, publicKey);
  }
  if (typeof value !== 'object' || value === null) fail('dpop', 'must be a boolean or { privateKey, publicKey }');
  const { privateKey, publicKey } = value as Partial<DPoPKeyPair>;
  const privateKeyObject = toKeyObject(privateKey, 'private', '"dpop" option "privateKey"').key;
  const publicKeyObject = toKeyObject(publicKey, 'public', '"dpop" option "publicKey"').key;
  const signer = new KeyPairSigner(privateKeyObject, publicKeyObject);
  // A pair that does not match would sign proofs no server accepts: caught here, not at the first call.
  if (jwkThumbprint(publicJwk(createPublicKey(privateKeyObject)).jwk) !== signer.thumbprint)
    fail('dpop', '"privateKey" and "publicKey" must be one key pair');
  return signer;
}
