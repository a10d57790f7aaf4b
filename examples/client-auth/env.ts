// Shared by the client authentication examples: the provider comes from environment variables.
//   ISSUER or TOKEN_URL   where to get tokens (ISSUER: discovered, RFC 8414)
//   CLIENT_ID             the client identifier
//   API_URL               an API that accepts the tokens; the example GETs API_PATH (default "/")
//   SCOPE                 optional, space-delimited
import axios from 'axios';
import type { ClientCredentialsHandle, ClientCredentialsOptions } from '../../lib';

export function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`set ${name}; see the header of this example`);
  return value;
}

/** `issuer` or `tokenUrl`, `clientId` and `scope` from the environment. */
export function provider(): Pick<ClientCredentialsOptions, 'issuer' | 'tokenUrl' | 'clientId' | 'scope'> {
  const where = process.env['ISSUER'] ? { issuer: env('ISSUER') } : { tokenUrl: env('TOKEN_URL') };
  return { ...where, clientId: env('CLIENT_ID'), ...(process.env['SCOPE'] ? { scope: env('SCOPE') } : {}) };
}

/** Calls the API once and prints what happened; never the token. */
export async function callApi(api: ReturnType<typeof axios.create>, handle: ClientCredentialsHandle): Promise<void> {
  const response = await api.get(process.env['API_PATH'] ?? '/');
  const token = await handle.getToken();
  console.log(`HTTP ${response.status}; token expires ${new Date(token.expiresAt).toISOString()}`);
}
