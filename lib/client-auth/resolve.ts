import type { AxiosInstance } from 'axios';
import { CLIENT_AUTH_METHODS, type ClientAuthMethod, type ClientCredentialsMaterial } from './index';
import { HMAC_ALGORITHMS, resolveHmacAlgorithm, resolveSigningKey, type HmacSigningAlgorithm } from './keys';
import type { AssertionProvider } from './assertion';
import { SecretSource, type SecretProvider } from './secret-source';
import { createTlsAgent } from './tls';
import { fail } from '../validate';

/** Client authentication options after validation. */
export interface ResolvedClientAuth extends Required<ClientCredentialsMaterial> {
  /**
   * The method to use: the configured one, or without discovery the one the options imply.
   * `undefined` when discovery picks it from `token_endpoint_auth_methods_supported`.
   */
  clientAuthMethod: ClientAuthMethod | undefined;
  /** The methods the options can perform, preferred first; discovery picks the first the server supports. */
  candidateMethods: ClientAuthMethod[];
  /**
   * Whether the `tls` option gives a client certificate: token requests then use the mutual TLS
   * endpoint alias (RFC 8705 §5). An `httpsAgent` may hold one or only a CA, so it does not count.
   */
  hasClientCertificate: boolean;
}

const SECRET_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'];
const TLS_METHODS: readonly ClientAuthMethod[] = ['tls_client_auth', 'self_signed_tls_client_auth'];

const isHmac = (value: unknown): value is HmacSigningAlgorithm =>
  HMAC_ALGORITHMS.includes(value as HmacSigningAlgorithm);

/**
 * Validates `clientAuthMethod`, `clientSecret`, `clientAssertion`, `privateKey`, `keyId`, `signingAlgorithm`,
 * `assertionAudience`, `tls` and `httpsAgent` together: a method without what it needs, or a key
 * its algorithm cannot use, fails here, at install time.
 *
 * @throws {TypeError} naming the option that is missing or invalid.
 */
export function resolveClientAuth(
  options: Readonly<Record<string, unknown>>,
  context: { clientId: string; issuer: string | undefined; tokenClient: AxiosInstance | undefined },
): ResolvedClientAuth {
  const method = options['clientAuthMethod'];
  if (method !== undefined && !CLIENT_AUTH_METHODS.includes(method as ClientAuthMethod))
    fail('clientAuthMethod', `must be one of ${CLIENT_AUTH_METHODS.map((m) => `"${m}"`).join(', ')}`);
  const secret = options['clientSecret'];
  if (secret !== undefined && typeof secret !== 'function' && (typeof secret !== 'string' || secret === ''))
    fail('clientSecret', 'must be a non-empty string or a function returning one');
  const secretSource =
    typeof secret === 'function' ? new SecretSource(context.clientId, secret as SecretProvider) : undefined;

  const assertion = options['clientAssertion'];
  if (assertion !== undefined) {
    if (typeof assertion !== 'function') fail('clientAssertion', 'must be a function returning a signed JWT');
    if (secret !== undefined) fail('clientAssertion', 'cannot be combined with "clientSecret"; give one of them');
    if (options['privateKey'] !== undefined)
      fail('clientAssertion', 'cannot be combined with "privateKey"; give one of them');
    if (method !== undefined && method !== 'private_key_jwt')
      fail('clientAssertion', `is sent as "private_key_jwt" and cannot be used with "${method as string}"`);
  }
  const clientAssertion = assertion as AssertionProvider | undefined;
  const basicEncoding = options['basicEncoding'] ?? 'rfc6749';
  if (basicEncoding !== 'rfc6749' && basicEncoding !== 'raw') fail('basicEncoding', 'must be "rfc6749" or "raw"');

  const algorithm = options['signingAlgorithm'];
  const hmacAlgorithm =
    method === 'client_secret_jwt' ? resolveHmacAlgorithm(algorithm) : isHmac(algorithm) ? algorithm : 'HS256';
  const keyAlgorithm = method !== 'client_secret_jwt' && !isHmac(algorithm) ? algorithm : undefined;
  const signingKey =
    options['privateKey'] === undefined
      ? undefined
      : resolveSigningKey(options['privateKey'], keyAlgorithm, options['keyId']);
  if (method === 'private_key_jwt' && signingKey === undefined && clientAssertion === undefined)
    fail('privateKey', 'is required by "private_key_jwt" (or "clientAssertion")');
  if (method === 'private_key_jwt' && isHmac(algorithm))
    fail('signingAlgorithm', `"${algorithm}" cannot be used with "private_key_jwt"; HMAC needs "client_secret_jwt"`);

  const audience = options['assertionAudience'] ?? 'issuer';
  if (audience !== 'issuer' && audience !== 'tokenEndpoint')
    fail('assertionAudience', 'must be "issuer" or "tokenEndpoint"');
  if (options['assertionAudience'] === 'issuer' && context.issuer === undefined)
    fail('assertionAudience', '"issuer" requires the "issuer" option');

  if (options['tls'] !== undefined && options['httpsAgent'] !== undefined)
    fail('httpsAgent', 'cannot be combined with "tls"; give one of them');
  const agentInput = options['httpsAgent'];
  if (agentInput !== undefined && (typeof agentInput !== 'object' || agentInput === null))
    fail('httpsAgent', 'must be an https.Agent');
  const httpsAgent =
    options['tls'] === undefined
      ? (agentInput as ClientCredentialsMaterial['httpsAgent'])
      : createTlsAgent(options['tls']);

  const clientSecret = typeof secret === 'string' ? secret : undefined;
  const hasSecret = secret !== undefined;
  if (method !== undefined && SECRET_METHODS.includes(method as ClientAuthMethod) && !hasSecret)
    fail('clientSecret', `is required by "${method as string}"`);
  const hasCertificate = httpsAgent !== undefined || context.tokenClient?.defaults.httpsAgent !== undefined;
  if (method !== undefined && TLS_METHODS.includes(method as ClientAuthMethod) && !hasCertificate)
    fail('tls', `is required by "${method as string}" (or an "httpsAgent" that presents the client certificate)`);

  // RFC 8414 §2 makes client_secret_basic the default; a key is preferred over a secret (RFC 9700 §2.5).
  const candidateMethods: ClientAuthMethod[] =
    method !== undefined
      ? [method as ClientAuthMethod]
      : [
          ...(signingKey === undefined && clientAssertion === undefined ? [] : (['private_key_jwt'] as const)),
          ...(hasSecret ? SECRET_METHODS : []),
          ...(options['tls'] === undefined ? [] : TLS_METHODS),
        ];
  if (candidateMethods.length === 0)
    fail('clientSecret', 'is required by "client_secret_basic"; or set "privateKey" for "private_key_jwt"');

  return {
    clientId: context.clientId,
    clientSecret,
    secretSource,
    signingKey,
    clientAssertion,
    basicEncoding,
    hmacAlgorithm,
    assertionAudience: audience,
    httpsAgent,
    clientAuthMethod:
      (method as ClientAuthMethod | undefined) ?? (context.issuer === undefined ? candidateMethods[0] : undefined),
    candidateMethods,
    hasClientCertificate: options['tls'] !== undefined,
  };
}
