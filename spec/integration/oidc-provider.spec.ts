import { inspect } from 'node:util';
import axios, { AxiosError } from 'axios';
import { installClientCredentials, MemoryTokenStore, OAuth2Error, type ClientCredentialsOptions } from '../../lib';
import { startApiServer, startLoopbackServer, json, type LoopbackServer } from '../support/loopback';
import { oidcClient, startOidcServer, type OidcServer } from '../support/oidc';

// The RFC 6749 §2.3.1 vector from the issue: the server must decode what we encode.
const VECTOR_ID = '1PpG/Q 1';
const VECTOR_SECRET = 'z/tZ9VwFZqApmIQ+ZH1I5pLk/uB4ud:X2/8bL+wfFTt1rFw=';
const SCOPES = 'invoices:read invoices:write reports:read';
const client = (client_id: string, client_secret: string, method: string) =>
  oidcClient(client_id, method, SCOPES, { client_secret });

let server: OidcServer;
let other: LoopbackServer;

beforeAll(async () => {
  server = await startOidcServer({
    clients: [
      client('demo-client', 'demo-secret', 'client_secret_basic'),
      client('post-client', 'post-secret', 'client_secret_post'),
      client(VECTOR_ID, VECTOR_SECRET, 'client_secret_basic'),
    ],
  });
  other = await startLoopbackServer((_req, res) => json(res, 200, { ok: true }));
});

afterAll(async () => {
  await server.close();
  await other.close();
});

beforeEach(() => server.reset());

/** An API instance with its own store, so every test starts cold. */
function setup(options: Partial<ClientCredentialsOptions> = {}) {
  const api = axios.create({ baseURL: server.apiUrl });
  const handle = installClientCredentials(api, {
    tokenUrl: server.tokenUrl,
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    store: new MemoryTokenStore(),
    ...options,
  });
  return { api, handle };
}

describe('installClientCredentials() against oidc-provider', () => {
  it('makes exactly one token request for 1,000 concurrent cold requests', async () => {
    const { api } = setup({ scope: 'invoices:read' });
    const responses = await Promise.all(Array.from({ length: 1000 }, () => api.get('/invoices')));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1000);
    expect(await server.stats()).toMatchObject({
      tokenRequests: 1,
      tokenSuccesses: 1,
      apiRequests: 1000,
      apiUnauthorized: 0,
    });
  });

  it('authenticates with the RFC 6749 §2.3.1 vector credentials over client_secret_basic', async () => {
    const { api } = setup({ clientId: VECTOR_ID, clientSecret: VECTOR_SECRET });
    const response = await api.get<{ clientId: string }>('/whoami');
    expect(response.data.clientId).toBe(VECTOR_ID);
  });

  it('authenticates with client_secret_post', async () => {
    const { api } = setup({
      clientId: 'post-client',
      clientSecret: 'post-secret',
      clientAuthMethod: 'client_secret_post',
    });
    expect((await api.get<{ clientId: string }>('/whoami')).data.clientId).toBe('post-client');
  });

  it('sends the scope and it reaches the token', async () => {
    const { api, handle } = setup({ scope: ['invoices:write', 'invoices:read', 'invoices:read'] });
    const response = await api.get<{ scope: string }>('/x');
    expect(response.data.scope.split(' ').sort()).toEqual(['invoices:read', 'invoices:write']);
    expect((await handle.getToken()).scope?.split(' ').sort()).toEqual(['invoices:read', 'invoices:write']);
  });

  it('sends the resource (RFC 8707): the server issues for the API and refuses an unknown one', async () => {
    const { api } = setup({ resource: `${server.apiUrl}/`, scope: 'invoices:read' });
    expect((await api.get('/x')).status).toBe(200);
    const wrong = setup({ resource: 'https://unknown.example.com/' });
    await expect(wrong.api.get('/x')).rejects.toMatchObject({ name: 'OAuth2Error', error: 'invalid_target' });
  });

  it('shares one token between two instances installed with equal settings', async () => {
    const store = new MemoryTokenStore();
    const a = setup({ store, scope: 'reports:read' });
    const b = setup({ store, scope: 'reports:read' });
    await Promise.all([
      ...Array.from({ length: 50 }, () => a.api.get('/a')),
      ...Array.from({ length: 50 }, () => b.api.get('/b')),
    ]);
    expect((await server.stats()).tokenRequests).toBe(1);
  });

  it('renews once for a revocation answered by 300 concurrent 401s, and every call succeeds', async () => {
    const { api } = setup();
    await api.get('/warm');
    await server.revokeAll();
    await server.reset();
    const results = await Promise.allSettled(Array.from({ length: 300 }, () => api.get('/after-revocation')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(300);
    const stats = await server.stats();
    expect(stats.tokenRequests).toBe(1);
    expect(stats.apiUnauthorized).toBe(300);
    expect(stats.apiRequests).toBe(600);
  });

  it('replays at most once per call when the API always answers 401', async () => {
    const deaf = await startApiServer(() => false);
    try {
      const api = axios.create({ baseURL: deaf.origin });
      installClientCredentials(api, {
        tokenUrl: server.tokenUrl,
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
        store: new MemoryTokenStore(),
      });
      const errors = await Promise.all(Array.from({ length: 20 }, () => api.get('/x').catch((e: unknown) => e)));
      expect(errors.every((e) => e instanceof AxiosError && e.response?.status === 401)).toBe(true);
      expect(deaf.requests).toHaveLength(40);
      // One cold exchange, then one renewal: every 401 names the first token, so only the first deletes it.
      expect((await server.stats()).tokenRequests).toBe(2);
    } finally {
      await deaf.close();
    }
  });

  it('gives OAuth2Error invalid_client for a wrong secret, with the secret nowhere in the error', async () => {
    const wrongSecret = 'wrong-secret-8c1f0e';
    const { api } = setup({ clientSecret: wrongSecret });
    const error = (await api.get('/x').catch((e: unknown) => e)) as OAuth2Error;
    expect(error).toBeInstanceOf(OAuth2Error);
    expect(error).toMatchObject({ error: 'invalid_client', status: 401, code: 'OAUTH2_ERROR_RESPONSE' });
    const basic = Buffer.from(`demo-client:${wrongSecret}`).toString('base64');
    let link: unknown = error;
    while (link !== undefined && link !== null) {
      for (const view of [inspect(link, { showHidden: true, depth: 10 }), JSON.stringify(link), String(link)]) {
        expect(view).not.toContain(wrongSecret);
        expect(view).not.toContain(basic);
      }
      link = (link as { cause?: unknown }).cause;
    }
    expect((await server.stats()).apiRequests).toBe(0);
  });

  it('sends no token on skipAuth, to another origin, or after eject', async () => {
    const { api, handle } = setup();
    await expect(api.get('/x', { skipAuth: true })).rejects.toMatchObject({ response: { status: 401 } });
    await api.get(`${other.origin}/webhook`);
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
    handle.eject();
    await expect(api.get('/x')).rejects.toMatchObject({ response: { status: 401 } });
    const stats = await server.stats();
    expect(stats.tokenRequests).toBe(0);
    expect(stats.apiUnauthorized).toBe(2);
  });
});
