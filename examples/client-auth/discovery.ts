// Discovery (RFC 8414, OpenID Connect Discovery): configure the issuer only; the token endpoint
// and, without "clientAuthMethod", the method come from its metadata, fetched once.
//
//   npx tsx examples/client-auth/discovery.ts             (embedded authorization server)
//
//   ISSUER=https://login.example.com CLIENT_ID=svc CLIENT_SECRET=… API_URL=https://api.example.com \
//   npx tsx examples/client-auth/discovery.ts
import axios from 'axios';
import { DiscoveryError, installClientCredentials } from '../../lib';
import { callApi, providerFromEnv, readEnv, run, withEmbeddedProvider, type Provider } from './env';

async function example(provider: Provider, clientSecret: string): Promise<void> {
  const api = axios.create({ baseURL: provider.apiUrl });
  const handle = installClientCredentials(api, {
    ...provider.where,
    clientId: provider.clientId,
    clientSecret,
    ...(provider.scope ? { scope: provider.scope } : {}),
  });
  try {
    await callApi(api, handle);
  } catch (error) {
    // ISSUER_MISMATCH: the metadata names another issuer (RFC 8414 §3.3); nothing of it was used.
    if (error instanceof DiscoveryError) throw new Error(`${error.code}: ${error.message}`);
    throw error;
  }
}

run('discovery', async () => {
  const env = readEnv({
    required: ['CLIENT_SECRET'],
    optional: ['SCOPE', 'API_PATH'],
    issuerOnly: true,
    usage: 'ISSUER, CLIENT_ID, CLIENT_SECRET and API_URL',
  });
  if (env) return example(providerFromEnv(env), env('CLIENT_SECRET'));
  const client = { client_id: 'svc', client_secret: 'svc-secret', token_endpoint_auth_method: 'client_secret_basic' };
  return withEmbeddedProvider(client, (servers) =>
    example({ where: { issuer: servers.issuer }, clientId: 'svc', apiUrl: servers.apiUrl }, 'svc-secret'),
  );
});
