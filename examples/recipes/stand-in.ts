/**
 * Shared by the recipes for servers that differ from the RFCs (basic-encoding-raw.ts,
 * renew-on-403.ts, envelope-token-response.ts, json-token-request.ts, jwt-expiry.ts). Each starts a
 * loopback stand-in that behaves as the real server it is about, in its own process, so it runs
 * with nothing set up and prints what happens:
 *
 *   npx tsx examples/recipes/basic-encoding-raw.ts
 *
 * spec/examples/stand-in-recipes.spec.ts runs each one and checks its exit code and what it prints.
 */
import axios from 'axios';
import { ClientCredentialsError } from '../../lib';
import { json, startLoopbackServer, type Handler } from '../../spec/support/loopback';

export { json, type Handler };
export { runIfMain } from './env';

/** Where the stand-ins listen. */
export interface StandIn {
  tokenUrl: string;
  apiUrl: string;
}

/** An API that accepts any Bearer token: the recipes are about the token endpoint. */
const anyBearer: Handler = (request, response) =>
  /^Bearer \S/.test(request.headers.authorization ?? '')
    ? json(response, 200, { ok: true })
    : json(response, 401, {}, { 'WWW-Authenticate': 'Bearer realm="api"' });

/**
 * Starts the stand-in token endpoint (and `api`, default: one accepting any Bearer token), says
 * what it stands in for, runs `example` against them, prints how many requests each received and
 * stops them.
 */
export async function withStandIn(
  standIn: { says: string; tokenEndpoint: Handler; api?: Handler },
  example: (servers: StandIn) => Promise<void>,
): Promise<void> {
  const [tokens, api] = await Promise.all([
    startLoopbackServer(standIn.tokenEndpoint),
    startLoopbackServer(standIn.api ?? anyBearer),
  ]);
  try {
    console.log(`stand-in on loopback: ${standIn.says}`);
    await example({ tokenUrl: `${tokens.origin}/oauth/token`, apiUrl: api.origin });
    console.log(`token requests: ${tokens.requests.length}, API requests: ${api.requests.length}`);
  } finally {
    await Promise.all([tokens.close(), api.close()]);
  }
}

/** What an API call came to: `HTTP 200`, an API error's status, or our error's class, code and message. */
export async function outcome(call: Promise<{ status: number }>): Promise<string> {
  try {
    return `HTTP ${(await call).status}`;
  } catch (error) {
    if (error instanceof ClientCredentialsError) return `${error.name} ${error.code}: ${error.message}`;
    if (axios.isAxiosError(error) && error.response) return `HTTP ${error.response.status}`;
    throw error;
  }
}
