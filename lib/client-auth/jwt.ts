import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { ClientCredentialsError } from '../errors';
import { encodeSegment, jwsSigner, type JwsAlgorithm } from '../jws';
import type { TokenRequestParts } from './index';
import type { HmacSigningAlgorithm, SigningKey } from './keys';

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

/** A JWT method's `ClientAuthentication`: it signs synchronously, so it never returns a promise. */
export type SignedAssertion = (request: TokenRequestParts) => void;

type SigningInput = { key: KeyObject; alg: JwsAlgorithm; kid: string | undefined };

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
): SignedAssertion {
  const signature = jwsSigner(signing.alg, signing.key);
  const header = encodeSegment(
    signing.kid === undefined ? { alg: signing.alg } : { alg: signing.alg, kid: signing.kid },
  );
  return (request: TokenRequestParts) => {
    const issuedAt = Math.floor(now() / 1000);
    const aud = audience === 'issuer' && request.issuer !== undefined ? request.issuer : request.tokenUrl;
    let assertion: string;
    try {
      const input = `${header}.${encodeSegment({
        iss: clientId,
        sub: clientId,
        aud,
        jti: randomUUID(),
        iat: issuedAt,
        exp: issuedAt + ASSERTION_LIFETIME_SECONDS,
      })}`;
      assertion = `${input}.${signature(input)}`;
    } catch (error) {
      // The key was tried at install, so this is the runtime refusing (OpenSSL, FIPS mode). Only
      // the error's code is passed on: a crypto error's other fields are no business of a log.
      const code = (error as { code?: unknown } | null)?.code;
      const detail = typeof code === 'string' ? ` (${code})` : '';
      throw new ClientCredentialsError('CLIENT_ASSERTION_FAILED', `client assertion could not be signed${detail}`);
    }
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
): SignedAssertion {
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
): SignedAssertion {
  // A secret KeyObject: the secret stays out of reach of util.inspect and JSON.stringify.
  const key = createSecretKey(Buffer.from(clientSecret, 'utf8'));
  return jwtAssertion(clientId, audience, { key, alg, kid: undefined }, now);
}
