import { bindSecret, checkSecret, type ClientSecretInput } from './secret-source';
import { defineClientAuth, type ClientAuth } from './strategy';

/**
 * `client_secret_post` (RFC 6749 §2.3.1): the client id and secret as body parameters. The RFC
 * says this is NOT RECOMMENDED where Basic works; it exists for servers that require it.
 * `clientSecret` is the secret or a function returning it (see the `clientSecret` option).
 *
 * @throws {TypeError} naming `clientSecret` when it is invalid.
 */
export function clientSecretPost(clientSecret: ClientSecretInput): ClientAuth {
  const secret = checkSecret(clientSecret);
  return defineClientAuth('client_secret_post', (context) =>
    bindSecret(secret, context, (value) => ({ body }) => {
      body.set('client_id', context.clientId);
      body.set('client_secret', value);
    }),
  );
}
