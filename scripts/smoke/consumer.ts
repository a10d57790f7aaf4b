// Type-level smoke test, compiled by scripts/smoke.sh as consumer.ts (CommonJS, "require" types)
// and as consumer.mts (ESM, "import" types) with `strict` and `moduleResolution: node16`.
import axios from 'axios';
import {
  ClientCredentialsError,
  installClientCredentials,
  MemoryTokenStore,
  OAuth2Error,
  type AccessToken,
  type ClientCredentialsHandle,
  type ClientCredentialsOptions,
  type TokenStore,
} from 'axios-client-credentials';

const api = axios.create({ baseURL: 'https://api.example.com' });
const store: TokenStore = new MemoryTokenStore();
const options: ClientCredentialsOptions = {
  tokenUrl: 'https://auth.example.com/oauth/token',
  clientId: 'id',
  clientSecret: 'secret',
  scope: ['invoices:read'],
  store,
};
const handle: ClientCredentialsHandle = installClientCredentials(api, options);

// Optional options take `undefined` under exactOptionalPropertyTypes, as environment lookups give it.
export const fromEnvironment: ClientCredentialsOptions = {
  tokenUrl: 'https://auth.example.com/oauth/token',
  clientId: 'id',
  clientSecret: process.env['CLIENT_SECRET'],
  scope: process.env['SCOPE'],
  audience: process.env['AUDIENCE'],
  origins: '*',
};

// The `declare module 'axios'` augmentation reaches consumers: skipAuth is a known, typed option.
export const publicRequest = api.get('/health', { skipAuth: true });
export const configured = axios.create({ skipAuth: false });
// @ts-expect-error skipAuth is a boolean
export const wrongType = api.get('/health', { skipAuth: 'yes' });

export async function token(): Promise<string> {
  try {
    const fresh: AccessToken = await handle.getToken();
    return fresh.accessToken;
  } catch (error) {
    if (error instanceof OAuth2Error) return error.error;
    if (error instanceof ClientCredentialsError) return error.code;
    throw error;
  }
}
