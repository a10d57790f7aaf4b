import { fail } from '../validate';
import { bindSecret, checkSecret, type ClientSecretInput } from './secret-source';
import { defineClientAuth, type ClientAuth } from './strategy';

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

/**
 * How `client_secret_basic` encodes the id and secret before Base64: `'rfc6749'` form-urlencodes
 * each (RFC 6749 §2.3.1); `'raw'` sends them as they are (RFC 7617), for servers that do not
 * decode them (Glewlwyd 2.7.5; golang.org/x/oauth2's AuthStyleInHeader, Duende's Rfc2617 style).
 */
export type BasicEncoding = 'rfc6749' | 'raw';

/** The Authorization header value for `client_secret_basic`. */
export function basicAuthorization(
  clientId: string,
  clientSecret: string,
  encoding: BasicEncoding = 'rfc6749',
): string {
  const encode = encoding === 'raw' ? (value: string): string => value : formUrlEncode;
  const pair = `${encode(clientId)}:${encode(clientSecret)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/** Options of {@link clientSecretBasic}. */
export interface ClientSecretBasicOptions {
  /** How the id and secret are encoded before Base64. Default is `'rfc6749'`. */
  encoding?: BasicEncoding | undefined;
}

/**
 * `client_secret_basic` (RFC 6749 §2.3.1): HTTP Basic authentication with the client id and
 * secret, the method servers must support. `clientSecret` is the secret or a function returning it
 * (see the `clientSecret` option).
 *
 * @throws {TypeError} naming `clientSecret` or `encoding` when either is invalid.
 * @example
 * installClientCredentials(api, { tokenUrl, clientId, clientAuth: clientSecretBasic(secret, { encoding: 'raw' }) });
 */
export function clientSecretBasic(clientSecret: ClientSecretInput, options: ClientSecretBasicOptions = {}): ClientAuth {
  const secret = checkSecret(clientSecret);
  const encoding = options.encoding ?? 'rfc6749';
  if (encoding !== 'rfc6749' && encoding !== 'raw') fail('encoding', 'must be "rfc6749" or "raw"');
  return defineClientAuth('client_secret_basic', (context) => ({
    basicEncoding: encoding,
    ...bindSecret(secret, context, (value) => {
      const authorization = basicAuthorization(context.clientId, value, encoding);
      return ({ headers }) => {
        headers['Authorization'] = authorization;
      };
    }),
  }));
}
