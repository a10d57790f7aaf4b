import { inspect } from 'node:util';
import axios from 'axios';
import {
  installClientCredentials,
  MemoryTokenStore,
  type ClientCredentialsEvent,
  type ClientCredentialsOptions,
} from '../../lib';
import { secretFingerprint } from '../../lib/client-auth/fingerprint';
import { startOidcServer, type OidcServer } from '../support/oidc';

const SCOPES = 'invoices:read';
let server: OidcServer;

beforeAll(async () => {
  server = await startOidcServer({
    clients: [
      {
        client_id: 'tenant-a',
        client_secret: 'tenant-a-right-secret',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: SCOPES,
      },
    ],
  });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function install(store: MemoryTokenStore, clientSecret: string, options: Partial<ClientCredentialsOptions> = {}) {
  const api = axios.create({ baseURL: server.apiUrl });
  const events: ClientCredentialsEvent[] = [];
  const handle = installClientCredentials(api, {
    tokenUrl: server.tokenUrl,
    clientId: 'tenant-a',
    clientSecret,
    scope: SCOPES,
    store,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { api, handle, events };
}

describe('a cache entry bound to the credential that earned it', () => {
  it('does not serve installation A’s token to installation B with the same client id and a wrong secret', async () => {
    const store = new MemoryTokenStore();
    const a = install(store, 'tenant-a-right-secret');
    const b = install(store, 'tenant-a-wrong-secret');
    expect((await a.api.get('/invoices')).status).toBe(200);
    await expect(b.api.get('/invoices')).rejects.toMatchObject({ name: 'OAuth2Error', error: 'invalid_client' });
    expect(await server.stats()).toMatchObject({
      tokenRequests: 2,
      tokenSuccesses: 1,
      tokenFailures: 1,
      apiRequests: 1,
    });
  });

  it('shares one exchange between two installations with equal credentials', async () => {
    const store = new MemoryTokenStore();
    const a = install(store, 'tenant-a-right-secret');
    const b = install(store, 'tenant-a-right-secret');
    expect((await a.api.get('/invoices')).status).toBe(200);
    expect((await b.api.get('/invoices')).status).toBe(200);
    expect(await server.stats()).toMatchObject({ tokenRequests: 1, apiRequests: 2 });
    expect(store.size).toBe(1);
  });

  it('keeps the fingerprint out of the handle, events and errors', async () => {
    const store = new MemoryTokenStore();
    const b = install(store, 'tenant-a-wrong-secret');
    const error: unknown = await b.api.get('/invoices').catch((e: unknown) => e);
    const fingerprint = secretFingerprint('tenant-a', 'tenant-a-wrong-secret');
    const shown = [
      inspect(b.handle, { depth: Infinity }),
      JSON.stringify(b.events),
      inspect(b.events, { depth: Infinity }),
      inspect(error, { depth: Infinity }),
      String(error),
    ];
    for (const text of shown) {
      expect(text).not.toContain('tenant-a-wrong-secret');
      expect(text).not.toContain(fingerprint);
    }
  });
});
