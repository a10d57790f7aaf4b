// client_secret_jwt: the client proves it knows the secret with an HS256 assertion; the secret
// itself never crosses the wire.
//
//   npx tsx examples/client-auth/client-secret-jwt.ts     (embedded authorization server)
//
//   TOKEN_URL=https://login.example.com/oauth2/token CLIENT_ID=svc CLIENT_SECRET=… \
//   API_URL=https://api.example.com npx tsx examples/client-auth/client-secret-jwt.ts
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { callApi, providerFromEnv, readEnv, run, withEmbeddedProvider, type Provider } from './env';

async function example(provider: Provider, clientSecret: string): Promise<void> {
  const api = axios.create({ baseURL: provider.apiUrl });
  const handle = installClientCredentials(api, {
    ...provider.where,
    clientId: provider.clientId,
    ...(provider.scope ? { scope: provider.scope } : {}),
    clientAuthMethod: 'client_secret_jwt',
    clientSecret,
  });
  await callApi(api, handle);
}

run('client-secret-jwt', async () => {
  const env = readEnv({
    required: ['CLIENT_SECRET'],
    optional: ['SCOPE', 'API_PATH'],
    usage: 'TOKEN_URL (or ISSUER), CLIENT_ID, CLIENT_SECRET and API_URL',
  });
  if (env) return example(providerFromEnv(env), env('CLIENT_SECRET'));
  // HS256 needs a secret of at least 32 bytes (RFC 7518 §3.2).
  const secret = 'embedded-client-secret-jwt-example-secret-0123456789';
  const client = { client_id: 'hmac-client', client_secret: secret, token_endpoint_auth_method: 'client_secret_jwt' };
  return withEmbeddedProvider(client, (servers) =>
    example({ where: { tokenUrl: servers.tokenUrl }, clientId: 'hmac-client', apiUrl: servers.apiUrl }, secret),
  );
});
