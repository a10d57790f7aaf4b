/**
 * Recipe: a token endpoint that answers outside RFC 6749 §5.1: the token in an envelope, no
 * `token_type`, and `expires_at` (epoch seconds) instead of `expires_in`. `mapTokenResponse` maps
 * a successful answer's parsed body to the standard fields; the strict checks then run on what it
 * returns, as on any answer. Error answers are not mapped, and a mapper that throws is
 * `TOKEN_RESPONSE_INVALID`, without the body in the error.
 *
 *   npx tsx examples/recipes/envelope-token-response.ts     (against a loopback stand-in)
 */
import axios from 'axios';
import { installClientCredentials, type ClientCredentialsOptions } from '../../lib';
import { json, outcome, runIfMain, withStandIn, type Handler } from './stand-in';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const enveloping: Handler = (_request, response) =>
  json(response, 200, { data: { token: 'enveloped-token', expires_at: nowSeconds() + 600 } });

/** `{ data: { token, expires_at } }` to `{ access_token, token_type, expires_in }`. */
const fromEnvelope: ClientCredentialsOptions['mapTokenResponse'] = (body) => {
  const { token, expires_at } = body['data'] as { token: string; expires_at: number };
  return { access_token: token, token_type: 'Bearer', expires_in: expires_at - nowSeconds() };
};

export async function main(): Promise<void> {
  const says = 'a token endpoint that answers { data: { token, expires_at } }';
  await withStandIn({ says, tokenEndpoint: enveloping }, async (at) => {
    const options = { tokenUrl: at.tokenUrl, clientId: 'client', clientSecret: 'secret' };
    const strict = axios.create({ baseURL: at.apiUrl });
    installClientCredentials(strict, options);
    console.log(`without mapTokenResponse: ${await outcome(strict.get('/invoices'))}`);

    const billing = axios.create({ baseURL: at.apiUrl });
    const handle = installClientCredentials(billing, { ...options, mapTokenResponse: fromEnvelope });
    const result = await outcome(billing.get('/invoices'));
    const { expiresAt, issuedAt } = await handle.getToken();
    const minutes = Math.round((expiresAt - issuedAt) / 60_000);
    console.log(`with mapTokenResponse: ${result}; the token lives ${minutes} minutes, as expires_at says`);
  });
}

runIfMain(module, main);
