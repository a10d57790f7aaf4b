import { clientSecretBasic } from './basic';
import { clientSecretPost } from './post';

/** The client authentication methods (RFC 6749 §2.3, IANA "OAuth Token Endpoint Authentication Methods"). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

/** What a token request is made of before it is sent; client authentication adds to it. */
export interface TokenRequestParts {
  body: URLSearchParams;
  headers: Record<string, string>;
}

/**
 * Adds a client's credentials to a token request. Created once per installation; holds the
 * secret in its closure so it never sits on an inspectable object.
 */
export type ClientAuthentication = (request: TokenRequestParts) => void | Promise<void>;

export function createClientAuthentication(
  method: ClientAuthMethod,
  credentials: { clientId: string; clientSecret: string },
): ClientAuthentication {
  switch (method) {
    case 'client_secret_basic':
      return clientSecretBasic(credentials.clientId, credentials.clientSecret);
    case 'client_secret_post':
      return clientSecretPost(credentials.clientId, credentials.clientSecret);
  }
}
