import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import axios from 'axios';
import {
  installClientCredentials,
  MemoryTokenStore,
  type ClientCredentialsEvent,
  type ClientCredentialsOptions,
} from '../../lib';
import { dpop } from '../../lib/dpop-option';
import { startApiServer, startTokenServer } from '../support/loopback';
import { startOidcServer, type OidcServer } from '../support/oidc';

const SCOPES = 'invoices:read invoices:write reports:read';
const clientKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const clients = [
  {
    client_id: 'demo-client',
    client_secret: 'demo-secret',
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: SCOPES,
  },
  {
    client_id: 'jwt-client',
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [{ ...clientKey.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256' }] },
    scope: SCOPES,
  },
];

let plain: OidcServer;
let asNonce: OidcServer;
let rsNonce: OidcServer;

beforeAll(async () => {
  [plain, asNonce, rsNonce] = await Promise.all([
    startOidcServer({ clients }),
    startOidcServer({ clients, dpop: { requireNonce: true } }),
    startOidcServer({ clients, dpop: { apiRequireNonce: true } }),
  ]);
});

afterAll(async () => {
  await Promise.all([plain, asNonce, rsNonce].map((server) => server.close()));
});

beforeEach(async () => {
  await Promise.all([plain, asNonce, rsNonce].map((server) => server.reset()));
});

/** An API instance with its own store and a generated DPoP key, so every test starts cold. */
function setup(server: OidcServer, options: Partial<ClientCredentialsOptions> = {}) {
  const api = axios.create({ baseURL: server.apiUrl });
  const events: ClientCredentialsEvent[] = [];
  const handle = installClientCredentials(api, {
    tokenUrl: server.tokenUrl,
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    store: new MemoryTokenStore(),
    dpop: dpop(),
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { api, handle, events };
}

describe('installClientCredentials() with DPoP against oidc-provider', () => {
  it('makes one token exchange for a burst of 50 calls, each with a unique proof', async () => {
    const { api, handle } = setup(plain);
    const before = (await plain.dpopStats()).distinctJti;
    const responses = await Promise.all(Array.from({ length: 50 }, () => api.get('/invoices?page=2')));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const token = await handle.getToken();
    expect(token.tokenType).toBe('DPoP');
    expect(await plain.stats()).toMatchObject({
      tokenRequests: 1,
      tokenSuccesses: 1,
      apiRequests: 50,
      apiUnauthorized: 0,
    });
    const dpop = await plain.dpopStats();
    expect(dpop).toMatchObject({ proofs: 50, rejected: 0, nonceChallenges: 0 });
    expect(dpop.distinctJti - before).toBe(50);
  });

  it('sends the token with the DPoP scheme, never as Bearer', async () => {
    const { api, handle } = setup(plain);
    const response = await api.get('/invoices');
    const token = await handle.getToken();
    expect(response.config.headers['Authorization']).toBe(`DPoP ${token.accessToken}`);
    expect(typeof response.config.headers['DPoP']).toBe('string');
  });

  it('authenticates with a fresh client assertion and a supplied key pair as JWKs', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { api } = setup(plain, {
      clientId: 'jwt-client',
      clientSecret: undefined as unknown as string,
      clientAuthMethod: 'private_key_jwt',
      privateKey: clientKey.privateKey,
      keyId: 'ec-1',
      dpop: dpop({
        privateKey: pair.privateKey.export({ format: 'jwk' }),
        publicKey: pair.publicKey.export({ format: 'jwk' }),
      }),
    });
    expect((await api.get('/invoices')).status).toBe(200);
    expect(await plain.stats()).toMatchObject({ tokenRequests: 1, tokenSuccesses: 1 });
  });

  it('renews once and replays with a fresh proof when the bound token is revoked', async () => {
    const { api, handle } = setup(plain);
    await api.get('/invoices');
    const first = await handle.getToken();
    await plain.revokeAll();
    const response = await api.get('/invoices');
    expect(response.status).toBe(200);
    const second = await handle.getToken();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.tokenType).toBe('DPoP');
    expect(await plain.stats()).toMatchObject({ tokenRequests: 2, apiRequests: 3, apiUnauthorized: 1 });
    expect(handle.stats().replays).toBe(1);
    expect((await plain.dpopStats()).rejected).toBe(0);
  });

  it('gets one token after exactly one retry when the token endpoint requires a nonce', async () => {
    const { api, handle } = setup(asNonce);
    expect((await api.get('/invoices')).status).toBe(200);
    expect(await asNonce.stats()).toMatchObject({ tokenRequests: 2, tokenSuccesses: 1, tokenFailures: 1 });
    expect(handle.stats()).toMatchObject({ exchanges: 1, tokenRequests: 2 });
    expect((await handle.getToken()).tokenType).toBe('DPoP');
  });

  it('retries with a fresh client assertion when the token endpoint requires a nonce', async () => {
    const { api } = setup(asNonce, {
      clientId: 'jwt-client',
      clientSecret: undefined as unknown as string,
      clientAuthMethod: 'private_key_jwt',
      privateKey: clientKey.privateKey,
      keyId: 'ec-1',
    });
    expect((await api.get('/invoices')).status).toBe(200);
    expect(await asNonce.stats()).toMatchObject({ tokenRequests: 2, tokenSuccesses: 1 });
  });

  it('meets a resource server nonce with one retry and no new token', async () => {
    const { api, handle } = setup(rsNonce);
    expect((await api.get('/invoices')).status).toBe(200);
    expect((await api.get('/reports')).status).toBe(200);
    expect(await rsNonce.stats()).toMatchObject({ tokenRequests: 1, apiRequests: 3, apiUnauthorized: 1 });
    expect(await rsNonce.dpopStats()).toMatchObject({ proofs: 2, nonceChallenges: 1, rejected: 0 });
    expect(handle.stats().replays).toBe(0);
  });

  it('still renews and replays a revoked token after a resource server nonce retry', async () => {
    const { api, handle } = setup(rsNonce);
    await api.get('/invoices');
    await rsNonce.revokeAll();
    expect((await api.get('/invoices')).status).toBe(200);
    expect(await rsNonce.stats()).toMatchObject({ tokenRequests: 2, apiUnauthorized: 2 });
    expect(handle.stats().replays).toBe(1);
  });

  it('keeps keys, proofs and tokens out of errors, events and the handle', async () => {
    const { api, handle, events } = setup(plain);
    await api.get('/invoices');
    const token = await handle.getToken();
    const shown = [inspect(handle, { depth: 5 }), JSON.stringify(handle), JSON.stringify(events)].join('\n');
    expect(shown).not.toContain(token.accessToken);
    expect(shown).not.toMatch(/eyJ/);
    expect(shown).not.toMatch(/"d"/);
  });
});

describe('installClientCredentials() with DPoP against a Bearer-only server', () => {
  it('sends a Bearer token answer as Bearer, without a proof', async () => {
    const tokens = await startTokenServer();
    const api = await startApiServer((token) => token === 'token-1');
    try {
      const client = axios.create({ baseURL: api.url });
      installClientCredentials(client, {
        tokenUrl: tokens.tokenUrl,
        clientId: 'c',
        clientSecret: 's',
        store: new MemoryTokenStore(),
        dpop: dpop(),
      });
      expect((await client.get('/x')).status).toBe(200);
      expect(typeof tokens.requests[0]!.headers['dpop']).toBe('string');
      expect(api.requests[0]!.headers['authorization']).toBe('Bearer token-1');
      expect(api.requests[0]!.headers['dpop']).toBeUndefined();
    } finally {
      await Promise.all([tokens.close(), api.close()]);
    }
  });
});
