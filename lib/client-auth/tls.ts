import { Agent } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { ClientAuthentication } from './index';

/**
 * The client certificate for mutual TLS (RFC 8705), in PEM. The library builds one `https.Agent`
 * from it for the token requests.
 */
export interface TlsClientCertificate {
  /** The client certificate chain, PEM. */
  cert: string | Buffer;
  /** The certificate's private key, PEM. */
  key: string | Buffer;
  /** The passphrase of an encrypted `key`. Default is none. */
  passphrase?: string | undefined;
  /** CA certificates to trust for the token endpoint instead of Node's defaults, PEM. Default is Node's. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer> | undefined;
}

function fail(problem: string): never {
  throw new TypeError(`"tls" option ${problem}`);
}

const isPem = (value: unknown): value is string | Buffer =>
  (typeof value === 'string' && value !== '') || (Buffer.isBuffer(value) && value.length > 0);

/**
 * Validates the `tls` option and builds the agent that presents the certificate. The secure
 * context is built once here so a certificate that does not match its key fails at install time,
 * not on the first request. Parser messages are dropped: they may quote the input.
 *
 * @throws {TypeError} naming the `"tls"` option.
 */
export function createTlsAgent(input: unknown): Agent {
  if (typeof input !== 'object' || input === null) fail('must be an object with "cert" and "key"');
  const { cert, key, passphrase, ca } = input as Record<string, unknown>;
  if (!isPem(cert)) fail('must have "cert", the client certificate in PEM');
  if (!isPem(key)) fail('must have "key", the private key of the certificate in PEM');
  if (passphrase !== undefined && typeof passphrase !== 'string') fail('"passphrase" must be a string');
  const cas: unknown[] = ca === undefined ? [] : Array.isArray(ca) ? ca : [ca];
  if (!cas.every(isPem)) fail('"ca" must be PEM certificates');
  const options = {
    cert,
    key,
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(ca === undefined ? {} : { ca: cas }),
  };
  try {
    createSecureContext(options);
  } catch {
    fail('holds a certificate, key or passphrase that cannot be used together');
  }
  return new Agent({ ...options, keepAlive: true });
}

/**
 * `tls_client_auth` and `self_signed_tls_client_auth` (RFC 8705 §2.1, §2.2): the certificate on the
 * TLS connection authenticates the client; the body only names it with `client_id`, as RFC 8705
 * §2 requires.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2
 */
export function tlsClientAuth(clientId: string): ClientAuthentication {
  return ({ body }) => {
    body.set('client_id', clientId);
  };
}
