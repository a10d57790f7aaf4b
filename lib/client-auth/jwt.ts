import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { ClientCredentialsError } from '../errors';
import { encodeSegment, jwsSigner, type JwsAlgorithm } from '../jws';
import type { TokenRequestParts } from './index';
import { fail } from '../validate';
import { JWT_BEARER_ASSERTION_TYPE } from './assertion';
import { publicKeyThumbprint } from './fingerprint';
import {
  HMAC_ALGORITHMS,
  resolveHmacAlgorithm,
  resolveSigningKey,
  type HmacSigningAlgorithm,
  type PrivateKeyInput,
  type SigningAlgorithm,
  type SigningKey,
} from './keys';
import { bindSecret, checkSecret, type ClientSecretInput } from './secret-source';
import { defineClientAuth, type ClientAuth, type ClientAuthContext } from './strategy';

export { JWT_BEARER_ASSERTION_TYPE } from './assertion';

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
export function privateKeyJwtAssertion(
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
export function clientSecretJwtAssertion(
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

/** Options of {@link privateKeyJwt}. */
export interface PrivateKeyJwtOptions {
  /** The `kid` header of the assertions. Default is the JWK's `kid`, else none. */
  keyId?: string | undefined;
  /** The JWS algorithm. Default is the JWK's `alg`, else the key type's (see the `signingAlgorithm` option). */
  signingAlgorithm?: SigningAlgorithm | undefined;
  /** The assertions' `aud` (see {@link AssertionAudience}). Default is `'issuer'`. */
  assertionAudience?: AssertionAudience | undefined;
}

/** Options of {@link clientSecretJwt}. */
export interface ClientSecretJwtOptions {
  /** The HMAC algorithm. Default is `'HS256'`. */
  signingAlgorithm?: HmacSigningAlgorithm | undefined;
  /** The assertions' `aud` (see {@link AssertionAudience}). Default is `'issuer'`. */
  assertionAudience?: AssertionAudience | undefined;
}

/**
 * Validates an `assertionAudience`.
 *
 * @throws {TypeError} naming `assertionAudience` unless it is `'issuer'`, `'tokenEndpoint'` or absent.
 */
export function checkAudience(value: AssertionAudience | undefined): AssertionAudience | undefined {
  if (value !== undefined && value !== 'issuer' && value !== 'tokenEndpoint')
    fail('assertionAudience', 'must be "issuer" or "tokenEndpoint"');
  return value;
}

/**
 * The audience of an installation's assertions: an explicit `'issuer'` needs the `issuer` option.
 *
 * @throws {TypeError} naming `assertionAudience`.
 */
export function audienceFor(
  explicit: AssertionAudience | undefined,
  context: Pick<ClientAuthContext, 'issuer'>,
): AssertionAudience {
  if (explicit === 'issuer' && context.issuer === undefined)
    fail('assertionAudience', '"issuer" requires the "issuer" option');
  return explicit ?? 'issuer';
}

/**
 * `private_key_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): every token request carries a fresh
 * client assertion signed with `privateKey` (PKCS#8 PEM, private JWK, `KeyObject` or `CryptoKey`).
 * The key and algorithm are checked now, with a trial signature; the key's RFC 7638 thumbprint
 * keys the cache.
 *
 * @throws {TypeError} naming `privateKey`, `keyId`, `signingAlgorithm` or `assertionAudience`.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export function privateKeyJwt(privateKey: PrivateKeyInput, options: PrivateKeyJwtOptions = {}): ClientAuth {
  const algorithm = options.signingAlgorithm;
  if (HMAC_ALGORITHMS.includes(algorithm as HmacSigningAlgorithm))
    fail(
      'signingAlgorithm',
      `"${String(algorithm)}" cannot be used with "private_key_jwt"; HMAC needs "client_secret_jwt"`,
    );
  const signingKey = resolveSigningKey(privateKey, algorithm, options.keyId);
  const audience = checkAudience(options.assertionAudience);
  return defineClientAuth('private_key_jwt', (context) => ({
    credentials: [`key:${publicKeyThumbprint(signingKey.key)}`],
    authenticate: privateKeyJwtAssertion(context.clientId, signingKey, audienceFor(audience, context)),
  }));
}

/**
 * `client_secret_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): every token request carries a fresh
 * client assertion signed with HMAC over the secret, so the secret itself never crosses the wire.
 * `clientSecret` is the secret or a function returning it (see the `clientSecret` option).
 *
 * @throws {TypeError} naming `clientSecret`, `signingAlgorithm` or `assertionAudience`.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export function clientSecretJwt(clientSecret: ClientSecretInput, options: ClientSecretJwtOptions = {}): ClientAuth {
  const secret = checkSecret(clientSecret);
  const alg = resolveHmacAlgorithm(options.signingAlgorithm);
  const audience = checkAudience(options.assertionAudience);
  return defineClientAuth('client_secret_jwt', (context) => {
    const aud = audienceFor(audience, context);
    return bindSecret(secret, context, (value) => clientSecretJwtAssertion(context.clientId, value, alg, aud));
  });
}
