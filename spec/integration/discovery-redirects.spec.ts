import { inspect } from 'node:util';
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { DiscoveryError, installClientCredentials, MemoryTokenStore } from '../../lib';
import { startFaultServer, type FaultServer } from '../support/fault-server';
import { startApiServer, type LoopbackServer } from '../support/loopback';

const SECRET = 'redirect-secret-value';

describe('discovery with "issuer" and a metadata URL that redirects', () => {
  let issuerServer: FaultServer;
  let otherServer: FaultServer;
  let apiServer: LoopbackServer;

  beforeAll(async () => {
    issuerServer = await startFaultServer();
    otherServer = await startFaultServer();
    apiServer = await startApiServer(() => true);
  });
  afterAll(async () => {
    await issuerServer.close();
    await otherServer.close();
    await apiServer.close();
  });
  beforeEach(() => {
    issuerServer.requests.length = 0;
    otherServer.requests.length = 0;
    apiServer.requests.length = 0;
  });

  it.each([302, 307, 308] as const)(
    'does not follow a %i to another origin: DISCOVERY_FAILED, and nothing reaches that origin',
    async (status) => {
      const issuer = issuerServer.origin;
      const wellKnown = `${issuer}/.well-known/oauth-authorization-server`;
      issuerServer.script({ kind: 'redirect', status, location: `${otherServer.origin}/metadata` });
      // The other origin's document names our issuer: only not following the redirect protects the secret.
      otherServer.script({
        kind: 'reply',
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ issuer, token_endpoint: otherServer.tokenUrl }),
      });
      const api = axios.create({ baseURL: apiServer.origin });
      installClientCredentials(api, {
        issuer,
        clientId: 'svc',
        clientSecret: SECRET,
        store: new MemoryTokenStore(),
      });
      const error: unknown = await api.get('/data').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DiscoveryError);
      expect(error).toMatchObject({ code: 'DISCOVERY_FAILED', issuer, status });
      expect((error as Error).message).toBe(
        `metadata request to ${wellKnown} was redirected (HTTP ${status}); redirects are not followed, as the metadata must come from the issuer's own well-known URL (RFC 8414 §3)`,
      );
      expect(issuerServer.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'GET /.well-known/oauth-authorization-server',
      ]);
      expect(otherServer.requests).toHaveLength(0);
      expect(apiServer.requests).toHaveLength(0);
      expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(SECRET);
    },
  );
});

describe('discovery with axios-mock-adapter replying plain objects', () => {
  it('accepts the metadata and the token as the objects a test writes', async () => {
    const issuer = 'https://login.example.com';
    const tokenClient = axios.create();
    const mock = new MockAdapter(tokenClient);
    mock
      .onGet(`${issuer}/.well-known/oauth-authorization-server`)
      .reply(200, { issuer, token_endpoint: `${issuer}/token` });
    mock.onPost(`${issuer}/token`).reply(200, { access_token: 't', token_type: 'Bearer', expires_in: 3600 });
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const handle = installClientCredentials(api, {
      issuer,
      clientId: 'svc',
      clientSecret: SECRET,
      tokenClient,
      store: new MemoryTokenStore(),
    });
    expect((await handle.getToken()).accessToken).toBe('t');
    expect(mock.history['get']!.map((r) => r.maxRedirects)).toEqual([0]);
  });
});
