// Test certificates for mutual TLS specs, made with openssl (EC P-256: fast on small machines) in
// a temporary directory that is removed afterwards:
//   ca          a CA that signs the server and client certificates
//   server      CN=127.0.0.1, subjectAltName IP:127.0.0.1, signed by ca
//   client      CN=<clientId>, signed by ca (tls_client_auth, RFC 8705 §2.1)
//   selfSigned  CN=<clientId>, self-signed (self_signed_tls_client_auth, RFC 8705 §2.2)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface TestCertificates {
  ca: KeyPair;
  server: KeyPair;
  client: KeyPair;
  selfSigned: KeyPair;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function makeCertificates(clientId: string): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'acc-mtls-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const read = (name: string): KeyPair => ({
    cert: readFileSync(file(`${name}.pem`), 'utf8'),
    key: readFileSync(file(`${name}.key`), 'utf8'),
  });
  try {
    const selfSigned = (name: string, subject: string): void =>
      openssl('req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', subject);
    const signed = (name: string, subject: string, extensions: string): void => {
      openssl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
      writeFileSync(file(`${name}.ext`), extensions);
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '1',
        '-extfile',
        `${name}.ext`,
      );
    };
    selfSigned('ca', '/CN=axios-client-credentials test CA');
    signed('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    signed('client', `/CN=${clientId}`, 'extendedKeyUsage=clientAuth\n');
    selfSigned('self-signed', `/CN=${clientId}`);
    return { ca: read('ca'), server: read('server'), client: read('client'), selfSigned: read('self-signed') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
