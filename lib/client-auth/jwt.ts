import { randomUUID } from 'node:crypto';
import type * as JoseModule from 'jose';
import type { ClientAuthentication, TokenRequestParts } from './index';
import type { HmacSigningAlgorithm, SigningKey } from './keys';

type Jose = typeof JoseModule;

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How long a client assertion is valid, in seconds: the "at most 60 seconds ahead". */
export const ASSERTION_LIFETIME_SECONDS = 60;

/**
 * Which `aud` a client assertion carries. `'issuer'`: the authorization server's issuer identifier,
 * when it is known (draft-ietf-oauth-rfc7523bis makes this the only audience, closing an
 * audience-confusion attack where a malicious server relays assertions meant for itself); else
 * the token endpoint URL. `'tokenEndpoint'`: always the token endpoint URL, for servers that
 * accept only that (RFC 7523 §3 allows it).
 */
export type AssertionAudience = 'issuer' | 'tokenEndpoint';

let jose: Promise<Jose> | undefined;

/**
 * jose is ESM-only and loaded on first use, so installations without a JWT method never load it
 * and CommonJS consumers reach it through `import()`, which works in every supported Node version.
 */
function loadJose(): Promise<Jose> {
  jose ??= import('jose').catch((error: unknown) => {
    jose = undefined;
    throw error;
  });
  return jose;
}

type SigningInput = { key: SigningKey['key'] | Uint8Array; alg: string; kid: string | undefined };

/**
 * A JWT client assertion authentication (RFC 7521 §4.2, RFC 7523 §3). Every call signs a new
 * assertion with a fresh `jti`, so a retried or repeated token request is never a replay, which
 * servers reject (RFC 7523 §3, item 7).
 */
function jwtAssertion(
  clientId: string,
  audience: AssertionAudience,
  signing: SigningInput,
  now: () => number,
): ClientAuthentication {
  return async (request: TokenRequestParts) => {
    const { SignJWT } = await loadJose();
    const issuedAt = Math.floor(now() / 1000);
    const aud = audience === 'issuer' && request.issuer !== undefined ? request.issuer : request.tokenUrl;
    const header = signing.kid === undefined ? { alg: signing.alg } : { alg: signing.alg, kid: signing.kid };
    const assertion = await new SignJWT({})
      .setProtectedHeader(header)
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(aud)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_SECONDS)
      .sign(signing.key);
    // RFC 7521 §4.2: client_id is optional; some servers want it to find the client before verifying.
    request.body.set('client_id', clientId);
    request.body.set('client_assertion_type', JWT_BEARER_ASSERTION_TYPE);
    request.body.set('client_assertion', assertion);
  };
}

/**
 * `private_key_jwt` (OpenID Connect Core §9, RFC 7523 §2.2): a client assertion signed with the
 * client's private key; the server holds only the public key.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export function privateKeyJwt(
  clientId: string,
  signingKey: SigningKey,
  audience: AssertionAudience,
  now: () => number = Date.now,
): ClientAuthentication {
  return jwtAssertion(clientId, audience, signingKey, now);
}

/**
 * `client_secret_jwt` (OpenID Connect Core §9): a client assertion signed with HMAC over the
 * client secret, so the secret itself never crosses the wire.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export function clientSecretJwt(
  clientId: string,
  clientSecret: string,
  alg: HmacSigningAlgorithm,
  audience: AssertionAudience,
  now: () => number = Date.now,
): ClientAuthentication {
  const key = new TextEncoder().encode(clientSecret);
  return jwtAssertion(clientId, audience, { key, alg, kid: undefined }, now);
}
