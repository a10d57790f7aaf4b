/**
 * Recipe: a token endpoint that leaves out `expires_in` (RFC 6749 §5.1 only recommends it) but
 * issues JWT access tokens. Nothing to set: without `expires_in`, the token's `exp` claim (RFC 7519
 * §4.1.4), decoded and not verified, says when it expires, so renewal follows the server's expiry
 * instead of `defaultExpiresInMs` (300000). An opaque token, an `exp` already past or more than a
 * year ahead gets the default; an `expires_in` always wins.
 *
 *   npx tsx examples/recipes/jwt-expiry.ts     (against a loopback stand-in)
 */
import axios from 'axios';
import { installClientCredentials, MemoryTokenStore } from '../../lib';
import { json, outcome, runIfMain, withStandIn, type Handler } from './stand-in';

let opaque = false;

/** Issues a JWT that expires in two hours (an opaque token when `opaque`), without `expires_in`. */
const withoutExpiresIn: Handler = (_request, response) => {
  const claims = { sub: 'client', exp: Math.floor(Date.now() / 1000) + 7200 };
  const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
  json(response, 200, { access_token: opaque ? 'opaque-token' : jwt, token_type: 'Bearer' });
};

export async function main(): Promise<void> {
  const says = 'a token endpoint that answers without expires_in';
  await withStandIn({ says, tokenEndpoint: withoutExpiresIn }, async (at) => {
    for (const kind of ['JWT', 'opaque'] as const) {
      opaque = kind === 'opaque';
      const billing = axios.create({ baseURL: at.apiUrl });
      const options = { tokenUrl: at.tokenUrl, clientId: 'client', clientSecret: 'secret' };
      // A store each, so that the second installation gets a token of its own.
      const handle = installClientCredentials(billing, { ...options, store: new MemoryTokenStore() });
      const result = await outcome(billing.get('/invoices'));
      const { expiresAt, issuedAt } = await handle.getToken();
      const minutes = Math.round((expiresAt - issuedAt) / 60_000);
      console.log(`${kind} access token: ${result}; the token lives ${minutes} minutes`);
    }
  });
}

runIfMain(module, main);
