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
import { callApi, env, provider } from './env';

async function main(): Promise<void> {
  const tls = { cert: readFileSync(env('CLIENT_CERT_FILE')), key: readFileSync(env('CLIENT_KEY_FILE')) };
  const api = axios.create({ baseURL: env('API_URL'), httpsAgent: new Agent(tls) });
  const handle = installClientCredentials(api, {
    ...provider(),
    clientAuthMethod:
      process.env['METHOD'] === 'self_signed_tls_client_auth' ? 'self_signed_tls_client_auth' : 'tls_client_auth',
    tls,
  });
  await callApi(api, handle);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
