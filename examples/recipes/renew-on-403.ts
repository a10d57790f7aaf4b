/**
 * Recipe: an API that answers a revoked or expired token 403, not 401. RFC 6750 §3.1 says 401
 * `invalid_token`; Django OAuth Toolkit's stock views (`ProtectedResourceView` and its kin) answer
 * 403. `renewOnStatus: [401, 403]` treats both as a rejected token: drop it, renew once, replay
 * once. A 403 with an `insufficient_scope` challenge is never renewed: a new token would not have
 * more scope.
 *
 *   npx tsx examples/recipes/renew-on-403.ts     (against a loopback stand-in for such an API)
 */
import axios from 'axios';
import { installClientCredentials, MemoryTokenStore } from '../../lib';
import { json, outcome, runIfMain, withStandIn, type Handler } from './stand-in';

let issued = 0;
const revoked = new Set<string>();

const tokenEndpoint: Handler = (_request, response) => {
  issued += 1;
  json(response, 200, { access_token: `token-${issued}`, token_type: 'Bearer', expires_in: 3600 });
};

/** As Django OAuth Toolkit: a token it does not know (revoked, expired) is answered 403, no challenge. */
const django: Handler = (request, response) => {
  const token = String(request.headers.authorization).replace(/^Bearer /, '');
  if (/^token-\d+$/.test(token) && !revoked.has(token)) return json(response, 200, { ok: true });
  json(response, 403, { detail: 'Authentication credentials were not provided.' });
};

export async function main(): Promise<void> {
  const says = 'an API that answers a revoked token 403, as Django OAuth Toolkit does';
  await withStandIn({ says, tokenEndpoint, api: django }, async (at) => {
    for (const renewOnStatus of [[401], [401, 403]]) {
      const billing = axios.create({ baseURL: at.apiUrl });
      // A store each, so that the second installation starts with a token of its own.
      const options = { tokenUrl: at.tokenUrl, clientId: 'django-client', clientSecret: 'secret', renewOnStatus };
      const handle = installClientCredentials(billing, { ...options, store: new MemoryTokenStore() });
      await billing.get('/invoices');
      revoked.add(`token-${issued}`); // an administrator revokes it
      const after = await outcome(billing.get('/invoices'));
      console.log(
        `renewOnStatus [${renewOnStatus.join(', ')}], token revoked: ${after}, replays: ${handle.stats().replays}`,
      );
    }
  });
}

runIfMain(module, main);
