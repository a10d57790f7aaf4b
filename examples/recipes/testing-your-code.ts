/**
 * Recipe: testing your own code that uses the plugin, without an authorization server.
 *
 * Let the application accept a `tokenClient` (and, in tests, a token store of its own), then stub
 * the token endpoint on that client with axios-mock-adapter. The plugin runs for real: its request
 * interceptor, its single flight, its 401 replay. Stub the API on the application's own instance
 * the same way.
 *
 * An application that injects nothing can be tested too (`withoutInjection()` below):
 * `new MockAdapter(axios)` on the default export, created BEFORE the plugin is installed, also
 * answers the token requests, because the default token client is an `axios.create()` made at
 * install time and inherits the default export's adapter. (Created after the install, it does not:
 * the token client already has its own adapter.) Such an application caches its tokens in the
 * process-wide default store: call `resetDefaultTokenStore()` between tests.
 *
 * `main()` and `withoutInjection()` are the tests, written framework-free so the suite can run
 * them; in a jest spec the set-up goes in `beforeEach` (with `resetDefaultTokenStore()`) and the
 * checks become `expect`s.
 */
import assert from 'node:assert/strict';
import axios, { type AxiosInstance } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { installClientCredentials, MemoryTokenStore, resetDefaultTokenStore, type TokenStore } from '../../lib';

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

// ---- an application that injects nothing -------------------------------------------------------

/** Installs on an instance whose adapter comes from the default export, as most applications do. */
export function createReportsApi() {
  const http = axios.create({ baseURL: 'https://reports.example.com' });
  installClientCredentials(http, {
    tokenUrl: 'https://auth.example.com/oauth/token',
    clientId: 'reports-client',
    clientSecret: 'not-a-real-secret',
  });
  return http;
}

export async function withoutInjection() {
  // Before the install: the default token client and the application's instance both inherit it.
  const mock = new MockAdapter(axios);
  try {
    const tokens: string[] = [];
    mock.onPost('https://auth.example.com/oauth/token').reply(() => {
      tokens.push(`default-store-token-${tokens.length + 1}`);
      return [200, JSON.stringify({ access_token: tokens.at(-1), token_type: 'Bearer', expires_in: 3600 })];
    });
    mock
      .onGet('https://reports.example.com/summary')
      .reply((config) => [200, { auth: config.headers?.['Authorization'] }]);

    // "Test one".
    resetDefaultTokenStore();
    const first = await createReportsApi().get<{ auth: string }>('/summary');
    // "Test two": without the reset, it would be served the token test one cached.
    resetDefaultTokenStore();
    const second = await createReportsApi().get<{ auth: string }>('/summary');

    assert.deepEqual(
      [first.data.auth, second.data.auth],
      ['Bearer default-store-token-1', 'Bearer default-store-token-2'],
    );
    return { tokenRequests: mock.history['post']!.length };
  } finally {
    mock.restore();
    resetDefaultTokenStore();
  }
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
