// client_secret_jwt: the client proves it knows the secret with an HS256 assertion; the secret
// itself never crosses the wire.
//
//   TOKEN_URL=https://login.example.com/oauth2/token CLIENT_ID=svc CLIENT_SECRET=… \
//   API_URL=https://api.example.com npx tsx examples/client-auth/client-secret-jwt.ts
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { callApi, env, provider } from './env';

async function main(): Promise<void> {
  const api = axios.create({ baseURL: env('API_URL') });
  const handle = installClientCredentials(api, {
    ...provider(),
    clientAuthMethod: 'client_secret_jwt',
    clientSecret: env('CLIENT_SECRET'),
  });
  await callApi(api, handle);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
