// Discovery (RFC 8414, OpenID Connect Discovery): configure the issuer only; the token endpoint
// and, without "clientAuthMethod", the method come from its metadata, fetched once.
//
//   ISSUER=https://login.example.com CLIENT_ID=svc CLIENT_SECRET=… API_URL=https://api.example.com \
//   npx tsx examples/client-auth/discovery.ts
import axios from 'axios';
import { DiscoveryError, installClientCredentials } from '../../lib';
import { callApi, env } from './env';

async function main(): Promise<void> {
  const api = axios.create({ baseURL: env('API_URL') });
  const handle = installClientCredentials(api, {
    issuer: env('ISSUER'),
    clientId: env('CLIENT_ID'),
    clientSecret: env('CLIENT_SECRET'),
  });
  try {
    await callApi(api, handle);
  } catch (error) {
    // ISSUER_MISMATCH: the metadata names another issuer (RFC 8414 §3.3); nothing of it was used.
    if (error instanceof DiscoveryError) console.error(`${error.code}: ${error.message}`);
    else throw error;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
