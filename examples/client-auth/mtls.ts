// Mutual TLS (RFC 8705): the client certificate on the TLS connection authenticates the client.
// Certificate-bound tokens (RFC 8705 §3) are accepted only over a connection with the same
// certificate, so the API instance presents it too.
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
import { callApi, providerFromEnv, readEnv, run, UsageError, type Provider } from './env';

type Method = 'tls_client_auth' | 'self_signed_tls_client_auth';

async function example(provider: Provider, tls: { cert: string; key: string }, method: Method): Promise<void> {
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
  if (!env) throw new UsageError(`set ${USAGE}: this example has no embedded authorization server`);
  const tls = {
    cert: readFileSync(env('CLIENT_CERT_FILE'), 'utf8'),
    key: readFileSync(env('CLIENT_KEY_FILE'), 'utf8'),
  };
  const method = env('METHOD') === 'self_signed_tls_client_auth' ? 'self_signed_tls_client_auth' : 'tls_client_auth';
  return example(providerFromEnv(env), tls, method);
});
