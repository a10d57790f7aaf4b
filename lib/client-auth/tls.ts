import { Agent } from 'node:https';
import { createSecureContext } from 'node:tls';
import { fail } from '../validate';
import { certificateFingerprint } from './fingerprint';
import { defineClientAuth, type ClientAuth } from './strategy';

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
  if (typeof input !== 'object' || input === null) fail('tls', 'must be an object with "cert" and "key"');
  const { cert, key, passphrase, ca } = input as Record<string, unknown>;
  if (!isPem(cert)) fail('tls', 'must have "cert", the client certificate in PEM');
  if (!isPem(key)) fail('tls', 'must have "key", the private key of the certificate in PEM');
  if (passphrase !== undefined && typeof passphrase !== 'string') fail('tls', '"passphrase" must be a string');
  const cas: unknown[] = ca === undefined ? [] : Array.isArray(ca) ? ca : [ca];
  if (!cas.every(isPem)) fail('tls', '"ca" must be PEM certificates');
  const options = {
    cert,
    key,
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(ca === undefined ? {} : { ca: cas }),
  };
  try {
    createSecureContext(options);
  } catch {
    fail('tls', 'holds a certificate, key or passphrase that cannot be used together');
  }
  return new Agent({ ...options, keepAlive: true });
}

/**
 * `tls_client_auth` and `self_signed_tls_client_auth` (RFC 8705 §2.1, §2.2): the certificate on the
 * TLS connection authenticates the client; the body only names it with `client_id`, as RFC 8705
 * §2 requires. The certificate is the strategy's own, else the installation's (`tls`,
 * `httpsAgent` or the token client's agent), which must then present one.
 */
function mutualTls(method: MutualTlsMethod, certificate: TlsClientCertificate | Agent | undefined): ClientAuth {
  const agent = certificate === undefined || certificate instanceof Agent ? certificate : createTlsAgent(certificate);
  return defineClientAuth(method, ({ clientId, transportAgent }) => {
    if (agent === undefined && transportAgent === undefined)
      fail('tls', `is required by "${method}" (or an "httpsAgent" that presents the client certificate)`);
    const fingerprint = certificateFingerprint(agent);
    return {
      credentials: fingerprint === undefined ? [] : [`certificate:${fingerprint}`],
      httpsAgent: agent,
      authenticate: ({ body }) => {
        body.set('client_id', clientId);
      },
    };
  });
}

type MutualTlsMethod = 'tls_client_auth' | 'self_signed_tls_client_auth';

/**
 * `tls_client_auth` (RFC 8705 §2.1): a client certificate from a CA the server trusts authenticates
 * the client. `certificate` is `{ cert, key, passphrase?, ca? }` in PEM (checked now) or an
 * `https.Agent` presenting one; without it, the installation's `tls`, `httpsAgent` or token
 * client's agent must present it. Token requests then go to the `mtls_endpoint_aliases` endpoint.
 *
 * @throws {TypeError} naming `tls` when the certificate is invalid.
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2.1
 */
export function tlsClientAuth(certificate?: TlsClientCertificate | Agent): ClientAuth {
  return mutualTls('tls_client_auth', certificate);
}

/**
 * `self_signed_tls_client_auth` (RFC 8705 §2.2): like {@link tlsClientAuth}, with a self-signed
 * certificate the server knows from the client's registered JWK Set.
 *
 * @throws {TypeError} naming `tls` when the certificate is invalid.
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2.2
 */
export function selfSignedTlsClientAuth(certificate?: TlsClientCertificate | Agent): ClientAuth {
  return mutualTls('self_signed_tls_client_auth', certificate);
}
