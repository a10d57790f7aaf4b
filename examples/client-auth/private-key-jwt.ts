// private_key_jwt (RFC 7523): the client signs a short-lived assertion with its private key; the
// authorization server holds only the public key. No shared secret anywhere.
//
//   npx tsx examples/client-auth/private-key-jwt.ts       (embedded authorization server)
//
//   ISSUER=https://login.example.com CLIENT_ID=reporting-service API_URL=https://api.example.com \
//   CLIENT_KEY_FILE=./client-key.pem KEY_ID=2026-11 npx tsx examples/client-auth/private-key-jwt.ts
//
// CLIENT_KEY_FILE: a PKCS#8 PEM private key (RSA, EC P-256/384/521 or Ed25519), or a private JWK as JSON.
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { callApi, providerFromEnv, readEnv, run, withEmbeddedProvider, type Provider } from './env';

async function example(provider: Provider, privateKey: string | JsonWebKey, keyId?: string): Promise<void> {
  const api = axios.create({ baseURL: provider.apiUrl });
  const handle = installClientCredentials(api, {
    ...provider.where,
    clientId: provider.clientId,
    ...(provider.scope ? { scope: provider.scope } : {}),
    clientAuthMethod: 'private_key_jwt',
    privateKey,
    ...(keyId ? { keyId } : {}),
  });
  await callApi(api, handle);
}

run('private-key-jwt', async () => {
  const env = readEnv({
    required: ['CLIENT_KEY_FILE'],
    optional: ['KEY_ID', 'SCOPE', 'API_PATH'],
    usage: 'ISSUER (or TOKEN_URL), CLIENT_ID, CLIENT_KEY_FILE and API_URL, optionally KEY_ID',
  });
  if (env) {
    const text = readFileSync(env('CLIENT_KEY_FILE'), 'utf8');
    const key = text.trimStart().startsWith('{') ? (JSON.parse(text) as JsonWebKey) : text;
    return example(providerFromEnv(env), key, env('KEY_ID'));
  }
  // A fresh EC P-256 key pair: the server registers the public JWK, the client signs with the PEM.
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const client = {
    client_id: 'reporting-service',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'embedded-1', alg: 'ES256' }] },
  };
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return withEmbeddedProvider(client, (servers) =>
    example(
      { where: { issuer: servers.issuer }, clientId: 'reporting-service', apiUrl: servers.apiUrl },
      pem,
      'embedded-1',
    ),
  );
});
