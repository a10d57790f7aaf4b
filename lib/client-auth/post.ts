import type { ClientAuthentication } from './index';

/**
 * `client_secret_post`: the client id and secret as body parameters (RFC 6749 §2.3.1). The RFC
 * says this is NOT RECOMMENDED where Basic works; it exists for servers that require it.
 */
export function clientSecretPost(clientId: string, clientSecret: string): ClientAuthentication {
  return ({ body }) => {
    body.set('client_id', clientId);
    body.set('client_secret', clientSecret);
  };
}
