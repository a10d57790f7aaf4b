import { startOidcServer, type OidcServer } from './oidc';

interface TokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

const TTL = 120;

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('oidc test server', () => {
  let server: OidcServer;

  beforeAll(async () => {
    server = await startOidcServer({ tokenTtlSeconds: TTL });
  });

  afterAll(async () => {
    await server?.close();
  });

  async function requestToken(
    params: Record<string, string>,
    auth?: { id: string; secret: string },
  ): Promise<{ status: number; body: TokenResponse; headers: Headers }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (auth) headers['authorization'] = basic(auth.id, auth.secret);
    const res = await fetch(server.tokenUrl, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ grant_type: 'client_credentials', ...params }).toString(),
    });
    return { status: res.status, body: (await res.json()) as TokenResponse, headers: res.headers };
  }

  async function demoToken(params: Record<string, string> = {}): Promise<string> {
    const { status, body } = await requestToken(params, { id: 'demo-client', secret: 'demo-secret' });
    expect(status).toBe(200);
    expect(typeof body.access_token).toBe('string');
    return body.access_token as string;
  }

  function callApi(pathname: string, token?: string, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    return fetch(`${server.apiUrl}${pathname}`, { ...init, headers });
  }

  it('reports loopback endpoints with the provider token endpoint', () => {
    expect(server.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.tokenUrl).toBe(`${server.issuer}/token`);
    expect(server.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__admin$/);
  });

  it('issues a Bearer token with expires_in to a client_secret_basic client', async () => {
    const { status, body, headers } = await requestToken({}, { id: 'demo-client', secret: 'demo-secret' });

    expect(status).toBe(200);
    expect(headers.get('cache-control')).toMatch(/no-store/);
    expect(body.token_type?.toLowerCase()).toBe('bearer');
    expect(typeof body.access_token).toBe('string');
    expect(body.expires_in).toBe(TTL);
  });

  it('honours requested scopes and reflects them in the token response', async () => {
    const { status, body } = await requestToken(
      { scope: 'invoices:read invoices:write' },
      { id: 'demo-client', secret: 'demo-secret' },
    );

    expect(status).toBe(200);
    expect(body.scope?.split(' ').sort()).toEqual(['invoices:read', 'invoices:write']);

    const api = await callApi('/invoices', body.access_token);
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({
      ok: true,
      path: '/invoices',
      clientId: 'demo-client',
      scope: 'invoices:read invoices:write',
    });
  });

  it('issues tokens to a client_secret_post client', async () => {
    const { status, body } = await requestToken({
      client_id: 'post-client',
      client_secret: 'post-secret',
      scope: 'reports:read',
    });

    expect(status).toBe(200);
    expect(body.scope).toBe('reports:read');
    expect(body.expires_in).toBe(TTL);

    const api = await callApi('/reports', body.access_token);
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ clientId: 'post-client', scope: 'reports:read' });
  });

  it('rejects a wrong client secret with 401 invalid_client and counts the failure', async () => {
    const before = await server.stats();

    const { status, body } = await requestToken({}, { id: 'demo-client', secret: 'wrong-secret' });

    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
    const after = await server.stats();
    expect(after.tokenRequests).toBe(before.tokenRequests + 1);
    expect(after.tokenFailures).toBe(before.tokenFailures + 1);
    expect(after.tokenSuccesses).toBe(before.tokenSuccesses);
  });

  it('accepts a valid token on the API and rejects a bogus one with WWW-Authenticate', async () => {
    const token = await demoToken();

    const ok = await callApi('/anything?x=1', token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, path: '/anything', clientId: 'demo-client' });

    const bogus = await callApi('/anything', 'not-a-real-token');
    expect(bogus.status).toBe(401);
    expect(bogus.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const res = await callApi('/anything');

    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer\b/);
    expect(challenge).not.toMatch(/error=/);
  });

  it('counts token and API traffic and resets the counters', async () => {
    await server.reset();
    expect(await server.stats()).toEqual({
      tokenRequests: 0,
      tokenSuccesses: 0,
      tokenFailures: 0,
      apiRequests: 0,
      apiUnauthorized: 0,
    });

    const token = await demoToken();
    await callApi('/a', token);
    await callApi('/b', 'bogus');

    expect(await server.stats()).toEqual({
      tokenRequests: 1,
      tokenSuccesses: 1,
      tokenFailures: 0,
      apiRequests: 2,
      apiUnauthorized: 1,
    });
  });

  it('makes the API reject previously issued tokens after revoke-all', async () => {
    const token = await demoToken({ scope: 'invoices:read' });
    expect((await callApi('/invoices', token)).status).toBe(200);

    await server.revokeAll();

    const res = await callApi('/invoices', token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    // New tokens keep working.
    expect((await callApi('/invoices', await demoToken())).status).toBe(200);
  });

  it('issues audience-restricted tokens for the API resource indicator (RFC 8707)', async () => {
    const { status, body } = await requestToken(
      { scope: 'invoices:read', resource: `${server.apiUrl}/` },
      { id: 'demo-client', secret: 'demo-secret' },
    );
    expect(status).toBe(200);
    expect(body.scope).toBe('invoices:read');
    expect(body.expires_in).toBe(TTL);
    expect((await callApi('/invoices', body.access_token)).status).toBe(200);

    const introspection = await fetch(`${server.issuer}/token/introspection`, {
      method: 'POST',
      headers: {
        authorization: basic('demo-client', 'demo-secret'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: body.access_token ?? '' }).toString(),
    });
    expect(await introspection.json()).toMatchObject({ active: true, aud: `${server.apiUrl}/` });

    const unknown = await requestToken(
      { resource: 'https://elsewhere.example/' },
      { id: 'demo-client', secret: 'demo-secret' },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('invalid_target');
  });

  it('delays /slow responses by ?ms= and echoes the /stream-echo body length', async () => {
    const token = await demoToken();

    const started = Date.now();
    const slow = await callApi('/slow?ms=200', token);
    expect(slow.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);

    const echo = await callApi('/stream-echo', token, { method: 'POST', body: 'x'.repeat(12_345) });
    expect(echo.status).toBe(200);
    expect(await echo.json()).toMatchObject({ ok: true, path: '/stream-echo', length: 12_345 });
  });
});

describe('startOidcServer', () => {
  it('uses custom clients, expires tokens after tokenTtlSeconds and closes idempotently', async () => {
    // oidc-provider counts in whole seconds (exp = floor(now) + ttl): a 1-second token issued at
    // x.999 is dead a millisecond later. Two seconds leave at least one second for the first call.
    const server = await startOidcServer({
      tokenTtlSeconds: 2,
      clients: [
        {
          client_id: 'narrow-client',
          client_secret: 'narrow-secret',
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'reports:read',
        },
      ],
    });
    try {
      const res = await fetch(server.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: basic('narrow-client', 'narrow-secret'),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials&scope=reports%3Aread',
      });
      const body = (await res.json()) as TokenResponse;
      expect(res.status).toBe(200);
      expect(body.scope).toBe('reports:read');
      expect(body.expires_in).toBe(2);
      const api = (): Promise<Response> =>
        fetch(`${server.apiUrl}/reports`, { headers: { authorization: `Bearer ${body.access_token}` } });
      expect((await api()).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2_100));
      expect((await api()).status).toBe(401);

      const denied = await fetch(server.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: basic('demo-client', 'demo-secret'),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect(denied.status).toBe(401);

      const tooBroad = await fetch(server.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: basic('narrow-client', 'narrow-secret'),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials&scope=invoices%3Awrite',
      });
      expect(tooBroad.status).toBe(400);
      expect(((await tooBroad.json()) as TokenResponse).error).toBe('invalid_scope');
    } finally {
      await Promise.all([server.close(), server.close()]);
      await server.close();
    }
    await expect(server.stats()).rejects.toThrow();
  });

  it('fails with the child stderr when the configuration is invalid', async () => {
    await expect(
      startOidcServer({
        clients: [{ client_id: 'bad', client_secret: 'x', token_endpoint_auth_method: 'nope' }],
      }),
    ).rejects.toThrow(/failed to start[\s\S]*invalid client "bad": token_endpoint_auth_method/);
  });
});
