/**
 * Recipe: a token endpoint that does not form-urldecode Basic credentials. RFC 6749 §2.3.1 has the
 * client form-urlencode its id and secret before Base64, and compliant servers decode them again;
 * Glewlwyd compares them as they arrive, so a secret with `+`, `/`, `:`, `%` or a space fails with
 * an empty 403. `basicEncoding: 'raw'` sends them unencoded. The default's error names the option.
 *
 *   npx tsx examples/recipes/basic-encoding-raw.ts     (against a loopback stand-in for Glewlwyd)
 */
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { json, outcome, runIfMain, withStandIn, type Handler } from './stand-in';

const CLIENT_ID = 'glewlwyd-client';
const SECRET = 'a+b/c:d%e f';

/** As Glewlwyd 2.7: the Base64-decoded pair compared as is, an empty 403 when it does not match. */
const glewlwyd: Handler = (request, response) => {
  const basic = String(request.headers.authorization).replace(/^Basic /, '');
  if (Buffer.from(basic, 'base64').toString('utf8') !== `${CLIENT_ID}:${SECRET}`) {
    response.writeHead(403).end();
    return;
  }
  json(response, 200, { access_token: 'raw-token', token_type: 'Bearer', expires_in: 3600 });
};

export async function main(): Promise<void> {
  const says = 'a token endpoint that compares Basic credentials as sent, as Glewlwyd does';
  await withStandIn({ says, tokenEndpoint: glewlwyd }, async (at) => {
    for (const basicEncoding of ['rfc6749', 'raw'] as const) {
      const billing = axios.create({ baseURL: at.apiUrl });
      const options = { tokenUrl: at.tokenUrl, clientId: CLIENT_ID, clientSecret: SECRET, basicEncoding };
      installClientCredentials(billing, options);
      console.log(`basicEncoding '${basicEncoding}': ${await outcome(billing.get('/invoices'))}`);
    }
  });
}

runIfMain(module, main);
