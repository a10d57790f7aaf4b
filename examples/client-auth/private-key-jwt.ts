// private_key_jwt (RFC 7523): the client signs a short-lived assertion with its private key; the
// authorization server holds only the public key. No shared secret anywhere.
//
//   ISSUER=https://login.example.com CLIENT_ID=reporting-service API_URL=https://api.example.com \
//   CLIENT_KEY_FILE=./client-key.pem KEY_ID=2026-11 npx tsx examples/client-auth/private-key-jwt.ts
//
// CLIENT_KEY_FILE: a PKCS#8 PEM private key (RSA, EC P-256/384/521 or Ed25519), or a private JWK as JSON.
import type { JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { callApi, env, provider } from './env';

async function main(): Promise<void> {
  const text = readFileSync(env('CLIENT_KEY_FILE'), 'utf8');
  const api = axios.create({ baseURL: env('API_URL') });
  const handle = installClientCredentials(api, {
    ...provider(),
    clientAuthMethod: 'private_key_jwt',
    privateKey: text.trimStart().startsWith('{') ? (JSON.parse(text) as JsonWebKey) : text,
    ...(process.env['KEY_ID'] ? { keyId: env('KEY_ID') } : {}),
  });
  await callApi(api, handle);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
