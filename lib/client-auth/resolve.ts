import type { AxiosInstance } from 'axios';
import type { Agent } from 'node:https';
import { fail } from '../validate';
import type { BasicEncoding } from './basic';
import { certificateFingerprint } from './fingerprint';
import type { ClientAuthMethod } from './index';
import { SecretSource, type SecretProvider } from './secret-source';
import { shorthand, SHORTHAND_OPTIONS } from './shorthand';
import { bindClientAuth, credentialPart, type BoundClientAuth, type ClientAuth } from './strategy';
import { createTlsAgent } from './tls';

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
  // One source per provider, however many strategies share it. Made only for a provider (most
  // installations have none): a Map per installation is most of an idle installation's heap.
  let sources: Map<SecretProvider, SecretSource> | undefined;
  const secretSource = (provider: SecretProvider): SecretSource => {
    sources ??= new Map();
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
    secretSource: sources?.values().next().value,
    credential: credentialPart([
      ...authentications.flatMap((authentication) => authentication.credentials),
      ...(certificate === undefined ? [] : [`certificate:${certificate}`]),
    ]),
  };
}
