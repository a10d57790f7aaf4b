import { ClientCredentialsError, OAuth2Error } from '../errors';
import { secretFingerprint } from './fingerprint';

/** A function that returns the client secret: from Vault, a secrets manager, a mounted file. */
export type SecretProvider = () => string | Promise<string>;

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
