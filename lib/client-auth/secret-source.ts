import { ClientCredentialsError, OAuth2Error } from '../errors';
import { fail } from '../validate';
import { secretFingerprint } from './fingerprint';
import type { ClientAuthentication } from './index';
import type { BoundClientAuth, ClientAuthContext } from './strategy';

/** A function that returns the client secret: from Vault, a secrets manager, a mounted file. */
export type SecretProvider = () => string | Promise<string>;

/** A client secret as the secret methods take it: the value, or a function returning it. */
export type ClientSecretInput = string | SecretProvider;

/**
 * Validates a client secret given to a secret method.
 *
 * @throws {TypeError} naming `clientSecret` unless it is a non-empty string or a function.
 */
export function checkSecret(value: unknown): ClientSecretInput {
  if (typeof value !== 'function' && (typeof value !== 'string' || value === ''))
    fail('clientSecret', 'must be a non-empty string or a function returning one');
  return value as ClientSecretInput;
}

/**
 * Binds a secret method to a client: with a fixed secret, `use` makes the authentication once and
 * the secret's fingerprint keys the cache; with a provider, the secret is asked on every request
 * and handed to `use` for that request only, and the provider's last value keys the cache.
 */
export function bindSecret(
  secret: ClientSecretInput,
  context: ClientAuthContext,
  use: (secret: string) => ClientAuthentication,
): Omit<BoundClientAuth, 'method'> {
  if (typeof secret === 'string')
    return { credentials: [`secret:${secretFingerprint(context.clientId, secret)}`], authenticate: use(secret) };
  const source = context.secretSource(secret);
  return {
    credentials: [],
    secretSource: source,
    authenticate: async (request) => use(await source.read())(request),
  };
}

/**
 * The error of a credential provider (`clientSecret` or `clientAssertion`) that failed. Keeps only
 * what is safe of its failure: its name, code and message, never the object.
 */
export function providerFailed(error: unknown, option = 'clientSecret'): ClientCredentialsError {
  const { name, code, message } = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  const cause = new Error(typeof message === 'string' ? message : 'provider failed');
  if (typeof name === 'string') cause.name = name;
  if (typeof code === 'string') Object.assign(cause, { code });
  return new ClientCredentialsError('CREDENTIAL_PROVIDER_FAILED', `the "${option}" provider failed`, { cause });
}

/**
 * A client secret that comes from a {@link SecretProvider}. The provider is asked whenever a token
 * request needs the secret; the value is handed to that request and never kept. What is kept is
 * the value's one-way fingerprint and a version that changes with it, so the cache key can follow
 * a rotation (a new secret moves to a new cache entry) without this object ever holding a secret.
 */
export class SecretSource {
  readonly #clientId: string;
  readonly #provider: SecretProvider;
  #fingerprint: string | undefined;
  #version = 0;

  constructor(clientId: string, provider: SecretProvider) {
    this.#clientId = clientId;
    this.#provider = provider;
  }

  /** The fingerprint of the last value the provider returned; `undefined` before it was first asked. */
  get fingerprint(): string | undefined {
    return this.#fingerprint;
  }

  /** Changes whenever the provider returns a value with another fingerprint than the last. */
  get version(): number {
    return this.#version;
  }

  /**
   * Asks the provider for the secret.
   *
   * @throws {ClientCredentialsError} `CREDENTIAL_PROVIDER_FAILED` when it throws, rejects or returns
   *   anything but a non-empty string.
   */
  async read(): Promise<string> {
    let value: unknown;
    try {
      value = await this.#provider();
    } catch (error) {
      throw providerFailed(error);
    }
    if (typeof value !== 'string' || value === '')
      throw new ClientCredentialsError(
        'CREDENTIAL_PROVIDER_FAILED',
        'the "clientSecret" provider must return a non-empty string',
      );
    const fingerprint = secretFingerprint(this.#clientId, value);
    if (fingerprint !== this.#fingerprint) {
      this.#fingerprint = fingerprint;
      this.#version += 1;
    }
    return value;
  }

  /**
   * After `error`, whether one more token request is worth it: the server said `invalid_client`
   * and the provider, asked once more, now returns another secret (rotated while we held the old).
   * A provider failing here is no reason to try again: the `invalid_client` stands.
   */
  async rotatedAfter(error: unknown): Promise<boolean> {
    if (!(error instanceof OAuth2Error) || error.error !== 'invalid_client') return false;
    const before = this.#version;
    try {
      await this.read();
    } catch {
      return false;
    }
    return this.#version !== before;
  }
}
