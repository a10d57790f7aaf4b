import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Agent } from 'node:https';

/**
 * Domain separation for the client secret's fingerprint: the digest of a secret here can never
 * equal a digest of the same bytes computed for another purpose (an HMAC key, a Basic value).
 */
const SECRET_DOMAIN = 'axios-client-credentials client secret fingerprint v1\0';

/** 128 bits: collision-free among any realistic number of credentials, and never the whole digest. */
const FINGERPRINT_BYTES = 16;

/** RFC 7638 §3.2: the required public members of each key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The fingerprint of a client secret: a domain-separated SHA-256 over the client id and secret,
 * truncated to 128 bits. One-way: it tells two secrets apart, never what either is. The client
 * id in it means equal secrets of different clients never share a fingerprint.
 */
export function secretFingerprint(clientId: string, clientSecret: string): string {
  return createHash('sha256')
    .update(SECRET_DOMAIN)
    .update(`${clientId.length}:${clientId}`)
    .update(clientSecret)
    .digest()
    .subarray(0, FINGERPRINT_BYTES)
    .toString('base64url');
}

/**
 * The RFC 7638 JWK SHA-256 thumbprint of a private key's public half, base64url: it names the key
 * pair, and the server (which holds the public key) could compute it too.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7638#section-3
 */
export function publicKeyThumbprint(privateKey: KeyObject): string {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  const members = THUMBPRINT_MEMBERS[String(jwk['kty'])] ?? Object.keys(jwk).sort();
  const canonical = Object.fromEntries(members.map((name) => [name, jwk[name]]));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/**
 * The SHA-256 of the client certificate an agent presents (of its DER form, as RFC 8705 §3.1's
 * `x5t#S256` confirmation is), base64url; `undefined` when the agent's certificate cannot be read
 * (one held by a hardware module, say).
 */
export function certificateFingerprint(agent: Agent | undefined): string | undefined {
  const options = (agent as { options?: { cert?: unknown; pfx?: unknown } } | undefined)?.options;
  const cert = Array.isArray(options?.cert) ? (options.cert[0] as unknown) : options?.cert;
  if (typeof cert === 'string' || Buffer.isBuffer(cert)) {
    try {
      return createHash('sha256').update(new X509Certificate(cert).raw).digest('base64url');
    } catch {
      return createHash('sha256').update(cert).digest('base64url');
    }
  }
  const pfx = options?.pfx;
  if (typeof pfx === 'string' || Buffer.isBuffer(pfx)) return createHash('sha256').update(pfx).digest('base64url');
  return undefined;
}
