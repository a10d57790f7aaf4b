/**
 * Recipe: a token endpoint that takes only JSON bodies. RFC 6749 §4.4.2 sends the token request as
 * `application/x-www-form-urlencoded`; some endpoints refuse it. `tokenRequestBody: 'json'` sends
 * the same parameters as one JSON object (a repeated `resource` as an array, the
 * `client_secret_post` fields included); the client still authenticates as configured.
 *
 *   npx tsx examples/recipes/json-token-request.ts     (against a loopback stand-in)
 */
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { json, outcome, runIfMain, withStandIn, type Handler } from './stand-in';

/** Refuses anything but a JSON body, with an OAuth 2.0 error; issues a token for one. */
const jsonOnly: Handler = (request, response) => {
  if (request.headers['content-type'] !== 'application/json') {
    return json(response, 415, { error: 'invalid_request', error_description: 'body must be application/json' });
  }
  const body = JSON.parse(request.body) as Record<string, unknown>;
  console.log(`  the token endpoint received ${Object.keys(body).join(', ')}`);
  json(response, 200, { access_token: 'json-token', token_type: 'Bearer', expires_in: 3600 });
};

export async function main(): Promise<void> {
  const says = 'a token endpoint that takes only JSON bodies';
  await withStandIn({ says, tokenEndpoint: jsonOnly }, async (at) => {
    for (const tokenRequestBody of ['form', 'json'] as const) {
      const billing = axios.create({ baseURL: at.apiUrl });
      installClientCredentials(billing, {
        tokenUrl: at.tokenUrl,
        clientId: 'client',
        clientSecret: 'secret',
        clientAuthMethod: 'client_secret_post',
        scope: 'invoices:read',
        tokenRequestBody,
      });
      console.log(`tokenRequestBody '${tokenRequestBody}': ${await outcome(billing.get('/invoices'))}`);
    }
  });
}

runIfMain(module, main);
