import type { Agent } from 'node:https';
import type { BasicEncoding } from './basic';
import type { ClientAuthentication, ClientAuthMethod } from './index';
import type { SecretProvider, SecretSource } from './secret-source';

/**
 * A client authentication method and its credentials, made by {@link clientSecretBasic},
 * {@link clientSecretPost}, {@link clientSecretJwt}, {@link privateKeyJwt}, {@link clientAssertion},
 * {@link tlsClientAuth} or {@link selfSignedTlsClientAuth} and given as the `clientAuth` option.
 * Each factory validates its credentials when called; the credentials live in a closure, never on
 * this object, so `util.inspect` and `JSON.stringify` show only the method.
 */
export interface ClientAuth {
  /** The method, as the IANA "OAuth Token Endpoint Authentication Methods" registry names it. */
  readonly method: ClientAuthMethod;
}

/** What a strategy learns of its installation when it is bound at install time. */
export interface ClientAuthContext {
  readonly clientId: string;
  /** The configured issuer identifier, when there is one. */
  readonly issuer: string | undefined;
  /** The agent that presents a client certificate without the strategy: `tls`, `httpsAgent` or the token client's. */
  readonly transportAgent: Agent | undefined;
  /** One {@link SecretSource} per provider and installation, so every method shares its rotation state. */
  secretSource(provider: SecretProvider): SecretSource;
}

/** A strategy bound to one installation: all the token endpoint and the cache key ask of it. */
export interface BoundClientAuth {
  readonly method: ClientAuthMethod;
  /**
   * The cache key's credential parts known at install, each a one-way fingerprint such as
   * `secret:…` or `key:…`, never a credential.
   */
  readonly credentials: readonly string[];
  /** The provider of the secret, when it is asked on every request (its fingerprint then keys the cache). */
  readonly secretSource?: SecretSource | undefined;
  /** The agent presenting the strategy's own client certificate (RFC 8705), when it has one. */
  readonly httpsAgent?: Agent | undefined;
  /** How a Basic strategy encodes the credentials, for the hint of an empty 401 or 403. */
  readonly basicEncoding?: BasicEncoding | undefined;
  /** Adds the credentials to one token request attempt. */
  readonly authenticate: ClientAuthentication;
}

const binders = new WeakMap<ClientAuth, (context: ClientAuthContext) => BoundClientAuth>();

/** Makes a strategy value: `bind` holds the validated credentials and runs once per installation. */
export function defineClientAuth(
  method: ClientAuthMethod,
  bind: (context: ClientAuthContext) => Omit<BoundClientAuth, 'method'>,
): ClientAuth {
  const strategy: ClientAuth = Object.freeze({ method });
  binders.set(strategy, (context) => ({ method, ...bind(context) }));
  return strategy;
}

/**
 * Binds a strategy to an installation.
 *
 * @throws {TypeError} naming `clientAuth` when the value was not made by one of the factories: a
 *   hand-made object could not vouch for its credential's fingerprint, which keeps tokens apart.
 */
export function bindClientAuth(strategy: unknown, context: ClientAuthContext): BoundClientAuth {
  const bind = binders.get(strategy as ClientAuth);
  if (bind === undefined)
    throw new TypeError(
      '"clientAuth" option must be made by clientSecretBasic(), clientSecretPost(), clientSecretJwt(), ' +
        'privateKeyJwt(), clientAssertion(), tlsClientAuth() or selfSignedTlsClientAuth()',
    );
  return bind(context);
}

/** The order of credential kinds in the cache key, whatever the order of the strategies. */
const CREDENTIAL_ORDER = ['secret', 'key', 'certificate', 'assertion'];

/** The credential parts of several strategies as one cache-key part: de-duplicated, in a fixed order. */
export function credentialPart(parts: Iterable<string>): string {
  const rank = (part: string): number => CREDENTIAL_ORDER.indexOf(part.slice(0, part.indexOf(':')));
  return [...new Set(parts)].sort((a, b) => rank(a) - rank(b)).join(' ');
}
