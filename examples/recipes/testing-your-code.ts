/**
 * Recipe: testing your own code that uses the plugin, without an authorization server.
 *
 * Let the application accept a `tokenClient` (and, in tests, a token store of its own), then stub
 * the token endpoint on that client with axios-mock-adapter. The plugin runs for real: its request
 * interceptor, its single flight, its 401 replay. Stub the API on the application's own instance
 * the same way.
 *
 * `main()` is the test, written framework-free so the suite can run it; in a jest spec the
 * set-up goes in `beforeEach` and the checks become `expect`s.
 */
import assert from 'node:assert/strict';
import axios, { type AxiosInstance } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { installClientCredentials, MemoryTokenStore, type TokenStore } from '../../lib';

// ---- application code --------------------------------------------------------------------------

export interface BillingDependencies {
  tokenClient?: AxiosInstance;
  store?: TokenStore;
}

export function createBillingApi(dependencies: BillingDependencies = {}) {
  const http = axios.create({ baseURL: 'https://billing.example.com' });
  installClientCredentials(http, {
    tokenUrl: 'https://auth.example.com/oauth/token',
    clientId: process.env['BILLING_CLIENT_ID'] ?? 'billing-client',
    clientSecret: process.env['BILLING_CLIENT_SECRET'] ?? 'not-a-real-secret',
    ...dependencies,
  });
  return {
    http,
    async unpaidTotal(): Promise<number> {
      const { data } = await http.get<Array<{ amount: number; paid: boolean }>>('/invoices');
      return data.filter((invoice) => !invoice.paid).reduce((sum, invoice) => sum + invoice.amount, 0);
    },
  };
}

// ---- the test ----------------------------------------------------------------------------------

export async function main() {
  const tokenClient = axios.create();
  const tokenEndpoint = new MockAdapter(tokenClient);
  let issued = 0;
  let validToken: string | undefined;
  tokenEndpoint.onPost('https://auth.example.com/oauth/token').reply(() => {
    issued += 1;
    validToken = `test-token-${issued}`;
    // The body as a string, as it comes off the wire: the plugin reads the token response as text
    // and parses it strictly, so an object here would be refused as "not a JSON object".
    return [200, JSON.stringify({ access_token: validToken, token_type: 'Bearer', expires_in: 3600 })];
  });

  // A store per test: the default store is shared by the whole process, so a token cached by one
  // test would otherwise be used by the next.
  const billing = createBillingApi({ tokenClient, store: new MemoryTokenStore() });
  const api = new MockAdapter(billing.http);
  api.onGet('/invoices').reply((config) =>
    validToken !== undefined && config.headers?.['Authorization'] === `Bearer ${validToken}`
      ? [
          200,
          [
            { amount: 30, paid: false },
            { amount: 12, paid: true },
          ],
        ]
      : [401, {}, { 'www-authenticate': 'Bearer error="invalid_token"' }],
  );

  const totals = await Promise.all([billing.unpaidTotal(), billing.unpaidTotal(), billing.unpaidTotal()]);
  assert.deepEqual(totals, [30, 30, 30]);
  assert.equal(tokenEndpoint.history['post']!.length, 1, 'one token request for concurrent calls');
  assert.equal(
    new URLSearchParams(String(tokenEndpoint.history['post']![0]!.data)).get('grant_type'),
    'client_credentials',
  );

  // The token is revoked behind our back: the API answers 401 once, the plugin renews and replays.
  validToken = undefined;
  assert.equal(await billing.unpaidTotal(), 30);
  assert.equal(tokenEndpoint.history['post']!.length, 2, 'one renewal after the 401');

  return { tokenRequests: tokenEndpoint.history['post']!.length, apiRequests: api.history['get']!.length };
}

if (require.main === module) {
  main().then(
    (result) => console.log('ok', result),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
