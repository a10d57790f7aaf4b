import type { AxiosInstance } from 'axios';
import type { Agent } from 'node:https';
import { fail } from '../validate';
import { clientAssertion, type AssertionProvider } from './assertion';
import { clientSecretBasic, type BasicEncoding } from './basic';
import { certificateFingerprint } from './fingerprint';
import { CLIENT_AUTH_METHODS, type ClientAuthMethod } from './index';
import { audienceFor, checkAudience, clientSecretJwt, privateKeyJwt, type AssertionAudience } from './jwt';
import { HMAC_ALGORITHMS, type HmacSigningAlgorithm, type PrivateKeyInput, type SigningAlgorithm } from './keys';
import { clientSecretPost } from './post';
import { checkSecret, SecretSource, type SecretProvider } from './secret-source';
import { bindClientAuth, credentialPart, type BoundClientAuth, type ClientAuth } from './strategy';
import { createTlsAgent, selfSignedTlsClientAuth, tlsClientAuth } from './tls';

/** Client authentication after validation: the strategies bound to the installation. */
export interface ResolvedClientAuth {
  clientId: string;
  /** The strategies the options allow, bound, preferred first; one when the method is fixed. */
  authentications: readonly BoundClientAuth[];
  /**
   * The method to use: the configured one, or without discovery the one the options imply.
   * `undefined` when discovery picks it from `token_endpoint_auth_methods_supported`.
   */
  clientAuthMethod: ClientAuthMethod | undefined;
  /** The methods of {@link authentications}; discovery picks the first the server supports. */
  candidateMethods: ClientAuthMethod[];
  /**
   * Whether a client certificate is configured (`tls`, or a strategy's own): token requests then
   * use the mutual TLS endpoint alias (RFC 8705 §5). An `httpsAgent` may hold one or only a CA, so
   * it does not count.
   */
  hasClientCertificate: boolean;
  /** The agent token requests use: a strategy's own, or the one `tls` or `httpsAgent` gives. */
  httpsAgent: Agent | undefined;
  /** How Basic credentials are encoded, for the hint of an empty 401 or 403. */
  basicEncoding: BasicEncoding;
  /** The provider of the client secret, when it is a function. */
  secretSource: SecretSource | undefined;
  /** The cache key's credential part known at install: every strategy's fingerprints and the certificate's. */
  credential: string;
}

/** The flat options that a `clientAuth` strategy replaces. */
const SHORTHAND_OPTIONS = [
  'clientSecret',
  'clientAssertion',
  'basicEncoding',
  'clientAuthMethod',
  'privateKey',
  'keyId',
  'signingAlgorithm',
  'assertionAudience',
] as const;

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
function shorthand(
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
  return { strategies: candidates.map(strategyOf), explicit: false };
}

/**
 * Validates client authentication: a `clientAuth` strategy, or the flat options as its shorthand,
 * plus the `tls` and `httpsAgent` transport. Each strategy validated itself when made; binding it
 * to the installation checks what needs the installation (an issuer, a certificate).
 *
 * @throws {TypeError} naming the option that is missing or invalid.
 */
export function resolveClientAuth(
  options: Readonly<Record<string, unknown>>,
  context: { clientId: string; issuer: string | undefined; tokenClient: AxiosInstance | undefined },
): ResolvedClientAuth {
  const { clientId, issuer } = context;
  if (options['tls'] !== undefined && options['httpsAgent'] !== undefined)
    fail('httpsAgent', 'cannot be combined with "tls"; give one of them');
  const agentInput = options['httpsAgent'];
  if (agentInput !== undefined && (typeof agentInput !== 'object' || agentInput === null))
    fail('httpsAgent', 'must be an https.Agent');
  const transport = options['tls'] === undefined ? (agentInput as Agent | undefined) : createTlsAgent(options['tls']);
  const given = options['clientAuth'];
  if (given !== undefined)
    for (const name of SHORTHAND_OPTIONS)
      if (options[name] !== undefined) fail(name, 'cannot be combined with "clientAuth"; give it to the strategy');
  const { strategies, explicit } =
    given === undefined ? shorthand(options, issuer) : { strategies: [given as ClientAuth], explicit: true };

  const tokenClientAgent = context.tokenClient?.defaults.httpsAgent as Agent | undefined;
  const sources = new Map<SecretProvider, SecretSource>();
  const secretSource = (provider: SecretProvider): SecretSource => {
    let source = sources.get(provider);
    if (source === undefined) sources.set(provider, (source = new SecretSource(clientId, provider)));
    return source;
  };
  const bindContext = { clientId, issuer, transportAgent: transport ?? tokenClientAgent, secretSource };
  const authentications = strategies.map((strategy) => bindClientAuth(strategy, bindContext));
  const own = authentications.find((authentication) => authentication.httpsAgent !== undefined)?.httpsAgent;
  if (own !== undefined && transport !== undefined)
    fail(options['tls'] === undefined ? 'httpsAgent' : 'tls', 'cannot be combined with a "clientAuth" certificate');
  const httpsAgent = own ?? transport;
  const certificate = certificateFingerprint(httpsAgent ?? tokenClientAgent);
  const candidateMethods = authentications.map((authentication) => authentication.method);

  return {
    clientId,
    authentications,
    clientAuthMethod: explicit || issuer === undefined ? candidateMethods[0] : undefined,
    candidateMethods,
    hasClientCertificate: options['tls'] !== undefined || own !== undefined,
    httpsAgent,
    basicEncoding: authentications.find((a) => a.basicEncoding !== undefined)?.basicEncoding ?? 'rfc6749',
    secretSource: sources.values().next().value,
    credential: credentialPart([
      ...authentications.flatMap((authentication) => authentication.credentials),
      ...(certificate === undefined ? [] : [`certificate:${certificate}`]),
    ]),
  };
}
