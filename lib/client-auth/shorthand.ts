import type { ClientCredentialsOptions } from '../options';
import { fail } from '../validate';
import { clientAssertion, type AssertionProvider } from './assertion';
import { clientSecretBasic } from './basic';
import { CLIENT_AUTH_METHODS, type ClientAuthMethod } from './index';
import { audienceFor, checkAudience, clientSecretJwt, privateKeyJwt, type AssertionAudience } from './jwt';
import { HMAC_ALGORITHMS, type HmacSigningAlgorithm, type PrivateKeyInput, type SigningAlgorithm } from './keys';
import { clientSecretPost } from './post';
import { checkSecret } from './secret-source';
import type { ClientAuth } from './strategy';
import { selfSignedTlsClientAuth, tlsClientAuth } from './tls';

/** The flat options that a `clientAuth` strategy replaces. */
export const SHORTHAND_OPTIONS = [
  'clientSecret',
  'clientAssertion',
  'basicEncoding',
  'clientAuthMethod',
  'privateKey',
  'keyId',
  'signingAlgorithm',
  'assertionAudience',
] as const satisfies ReadonlyArray<keyof ClientCredentialsOptions>;

const SECRET_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'];
const TLS_METHODS: readonly ClientAuthMethod[] = ['tls_client_auth', 'self_signed_tls_client_auth'];

const isHmac = (value: unknown): value is HmacSigningAlgorithm =>
  HMAC_ALGORITHMS.includes(value as HmacSigningAlgorithm);

/**
 * The flat options as strategies, the one place they are read: the configured method's strategy
 * (`explicit`), or every strategy the credentials allow, preferred first (RFC 9700 §2.5 prefers a
 * key to a secret; RFC 8414 §2 makes `client_secret_basic` the secret default).
 *
 * @throws {TypeError} naming the option that is missing, invalid or contradicts another.
 */
export function shorthand(
  options: Readonly<Record<string, unknown>>,
  issuer: string | undefined,
): { strategies: ClientAuth[]; explicit: boolean } {
  const method = options['clientAuthMethod'] as ClientAuthMethod | undefined;
  if (method !== undefined && !CLIENT_AUTH_METHODS.includes(method))
    fail('clientAuthMethod', `must be one of ${CLIENT_AUTH_METHODS.map((m) => `"${m}"`).join(', ')}`);
  const secret = options['clientSecret'] === undefined ? undefined : checkSecret(options['clientSecret']);
  const assertion = options['clientAssertion'] as AssertionProvider | undefined;
  if (assertion !== undefined) {
    if (typeof assertion !== 'function') fail('clientAssertion', 'must be a function returning a signed JWT');
    if (secret !== undefined) fail('clientAssertion', 'cannot be combined with "clientSecret"; give one of them');
    if (options['privateKey'] !== undefined)
      fail('clientAssertion', 'cannot be combined with "privateKey"; give one of them');
    if (method !== undefined && method !== 'private_key_jwt')
      fail('clientAssertion', `is sent as "private_key_jwt" and cannot be used with "${method}"`);
  }
  const encoding = options['basicEncoding'] ?? 'rfc6749';
  if (encoding !== 'rfc6749' && encoding !== 'raw') fail('basicEncoding', 'must be "rfc6749" or "raw"');
  // Checked whatever the method, as a contradiction in the options even when no JWT is signed.
  const assertionAudience = checkAudience(options['assertionAudience'] as AssertionAudience | undefined);
  if (assertionAudience !== undefined) audienceFor(assertionAudience, { issuer });

  // One `signingAlgorithm` for both JWT methods: an HMAC one is client_secret_jwt's, any other the key's.
  const algorithm = options['signingAlgorithm'] as SigningAlgorithm | undefined;
  const keyAlgorithm =
    method === 'private_key_jwt' || (method !== 'client_secret_jwt' && !isHmac(algorithm)) ? algorithm : undefined;
  const hmacAlgorithm = method === 'client_secret_jwt' || isHmac(algorithm) ? algorithm : undefined;
  const key =
    options['privateKey'] === undefined
      ? undefined
      : privateKeyJwt(options['privateKey'] as PrivateKeyInput, {
          signingAlgorithm: keyAlgorithm,
          keyId: options['keyId'] as string | undefined,
          assertionAudience,
        });
  if (method === 'private_key_jwt' && key === undefined && assertion === undefined)
    fail('privateKey', 'is required by "private_key_jwt" (or "clientAssertion")');
  if (method !== undefined && SECRET_METHODS.includes(method) && secret === undefined)
    fail('clientSecret', `is required by "${method}"`);

  const strategyOf = (candidate: ClientAuthMethod): ClientAuth => {
    switch (candidate) {
      case 'client_secret_basic':
        return clientSecretBasic(secret!, { encoding });
      case 'client_secret_post':
        return clientSecretPost(secret!);
      case 'client_secret_jwt':
        return clientSecretJwt(secret!, { signingAlgorithm: hmacAlgorithm as HmacSigningAlgorithm, assertionAudience });
      case 'private_key_jwt':
        return key ?? clientAssertion(assertion!);
      case 'tls_client_auth':
        return tlsClientAuth();
      case 'self_signed_tls_client_auth':
        return selfSignedTlsClientAuth();
    }
  };
  if (method !== undefined) return { strategies: [strategyOf(method)], explicit: true };
  const candidates = [
    ...(key === undefined && assertion === undefined ? [] : (['private_key_jwt'] as const)),
    ...(secret === undefined ? [] : SECRET_METHODS),
    ...(options['tls'] === undefined ? [] : TLS_METHODS),
  ];
  if (candidates.length === 0)
    fail('clientSecret', 'is required by "client_secret_basic"; or set "privateKey" for "private_key_jwt"');
  // Only discovery chooses among the candidates (by the server's metadata); without an issuer the
  // preferred one is the method, and binding the others would cost every installation their heap.
  if (issuer === undefined) return { strategies: [strategyOf(candidates[0]!)], explicit: false };
  return { strategies: candidates.map(strategyOf), explicit: false };
}
