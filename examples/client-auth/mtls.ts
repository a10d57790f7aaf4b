// Mutual TLS (RFC 8705): the client certificate on the TLS connection authenticates the client.
// Certificate-bound tokens (RFC 8705 §3) are accepted only over a connection with the same
// certificate, so the API instance presents it too.
//
//   npx tsx examples/client-auth/mtls.ts                  (embedded authorization server; needs openssl)
//
//   ISSUER=https://login.example.com CLIENT_ID=svc API_URL=https://api.example.com \
//   CLIENT_CERT_FILE=./client.pem CLIENT_KEY_FILE=./client-key.pem \
//   METHOD=tls_client_auth npx tsx examples/client-auth/mtls.ts
//
// METHOD: tls_client_auth (a CA-issued certificate, the default) or self_signed_tls_client_auth.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { makeCertificates } from '../../spec/support/certificates';
import { callApi, providerFromEnv, readEnv, run, withEmbeddedProvider, type Provider } from './env';

type Method = 'tls_client_auth' | 'self_signed_tls_client_auth';

/** `ca`: the CA that issued the servers' certificates, when it is not one Node trusts by default. */
type Tls = { cert: string; key: string; ca?: string };

async function example(provider: Provider, tls: Tls, method: Method): Promise<void> {
  const api = axios.create({ baseURL: provider.apiUrl, httpsAgent: new Agent(tls) });
  const handle = installClientCredentials(api, {
    ...provider.where,
    clientId: provider.clientId,
    ...(provider.scope ? { scope: provider.scope } : {}),
    clientAuthMethod: method,
    tls,
  });
  await callApi(api, handle);
}

const USAGE = 'ISSUER (or TOKEN_URL), CLIENT_ID, CLIENT_CERT_FILE, CLIENT_KEY_FILE and API_URL, optionally METHOD';

run('mtls', async () => {
  const env = readEnv({
    required: ['CLIENT_CERT_FILE', 'CLIENT_KEY_FILE'],
    optional: ['METHOD', 'SCOPE', 'API_PATH'],
    usage: USAGE,
  });
  if (!env) {
    // A test CA issues the servers' certificate and the client's (CN=svc, registered as its subject).
    const certs = makeCertificates('svc');
    const client = {
      client_id: 'svc',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=svc',
      // The API then accepts the token only over a connection with this certificate.
      tls_client_certificate_bound_access_tokens: true,
    };
    const tls = { ...certs.client, ca: certs.ca.cert };
    return withEmbeddedProvider(
      client,
      (servers) =>
        example(
          { where: { tokenUrl: servers.tokenUrl }, clientId: 'svc', apiUrl: servers.apiUrl },
          tls,
          'tls_client_auth',
        ),
      { tls: { ...certs.server, ca: certs.ca.cert } },
    );
  }
  const tls = {
    cert: readFileSync(env('CLIENT_CERT_FILE'), 'utf8'),
    key: readFileSync(env('CLIENT_KEY_FILE'), 'utf8'),
  };
  const method = env('METHOD') === 'self_signed_tls_client_auth' ? 'self_signed_tls_client_auth' : 'tls_client_auth';
  return example(providerFromEnv(env), tls, method);
});
