import type { ClientAuthentication } from './index';

/**
 * `application/x-www-form-urlencoded` encoding of one value, as RFC 6749 §2.3.1 requires for the
 * client id and secret before they are joined with ":" and Base64-encoded (Appendix B): space
 * becomes "+", and `!'()*~`, which encodeURIComponent leaves alone, are percent-encoded too.
 * Servers that decode per the RFC reject credentials encoded any other way.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function formUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** The Authorization header value for `client_secret_basic`. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const pair = `${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/** `client_secret_basic`: HTTP Basic authentication with the form-urlencoded id and secret. */
export function clientSecretBasic(clientId: string, clientSecret: string): ClientAuthentication {
  const authorization = basicAuthorization(clientId, clientSecret);
  return ({ headers }) => {
    headers['Authorization'] = authorization;
  };
}
