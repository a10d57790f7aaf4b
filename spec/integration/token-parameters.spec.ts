import axios from 'axios';
import { installClientCredentials, MemoryTokenStore, type ClientCredentialsOptions } from '../../lib';
import { MAX_PARAMETER_SETS, TokenManagers } from '../../lib/token-managers';
import type { TokenManager } from '../../lib/token-manager';
import { json, startLoopbackServer, type LoopbackServer } from '../support/loopback';
import { startOidcServer, type OidcServer } from '../support/oidc';

const SCOPES = 'invoices:read invoices:write reports:read';

describe('per-request tokenParameters against oidc-provider', () => {
  let server: OidcServer;

  beforeAll(async () => {
    server = await startOidcServer({
      clients: [
        {
          client_id: 'demo-client',
          client_secret: 'demo-secret',
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

  // CVE-2025-26620 (Duende.AccessTokenManagement): concurrent requests with different parameters
  // were served each other's tokens. Every request here must carry a token of its own scope.
  it('gives concurrent calls with different scopes each a token with their own scope (CVE-2025-26620)', async () => {
    const api = axios.create({ baseURL: server.apiUrl });
    installClientCredentials(api, {
      tokenUrl: server.tokenUrl,
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      scope: 'invoices:write',
      store: new MemoryTokenStore(),
    });
    const asked = Array.from({ length: 300 }, (_, i) => ['invoices:read', 'reports:read', undefined][i % 3]);
    const responses = await Promise.all(
      asked.map((scope) =>
        api.get<{ scope: string }>('/whoami', scope === undefined ? {} : { tokenParameters: { scope } }),
      ),
    );
    expect(responses.map((response) => response.data.scope)).toEqual(asked.map((scope) => scope ?? 'invoices:write'));
    expect(await server.stats()).toMatchObject({ tokenRequests: 3, tokenSuccesses: 3, apiRequests: 300 });
  });
});

describe('per-request tokenParameters against a loopback token endpoint', () => {
  let tokens: LoopbackServer;
  let api: LoopbackServer;
  /** Tokens the API rejects with 401 invalid_token. */
  const revoked = new Set<string>();

  beforeAll(async () => {
    // Echoes what was asked into the token: `n|scope|resource,resource|audience`.
    let issued = 0;
    tokens = await startLoopbackServer(async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const body = new URLSearchParams(req.body);
      issued += 1;
      const token = [issued, body.get('scope') ?? '', body.getAll('resource').join(','), body.get('audience') ?? ''];
      json(res, 200, { access_token: token.join('|'), token_type: 'Bearer', expires_in: 3600 });
    });
    api = await startLoopbackServer((req, res) => {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (revoked.has(token)) return json(res, 401, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      return json(res, 200, { token });
    });
  });
  afterAll(async () => {
    await tokens.close();
    await api.close();
  });
  beforeEach(() => {
    tokens.requests.length = 0;
    api.requests.length = 0;
    revoked.clear();
  });

  function setup(options: Partial<ClientCredentialsOptions> = {}) {
    const instance = axios.create({ baseURL: api.origin });
    const handle = installClientCredentials(instance, {
      tokenUrl: `${tokens.origin}/token`,
      clientId: 'client',
      clientSecret: 'secret',
      scope: 'base',
      store: new MemoryTokenStore(),
      ...options,
    });
    const tokenOf = async (config: Parameters<typeof instance.get>[1] = {}) =>
      (await instance.get<{ token: string }>('/', config)).data.token;
    return { instance, handle, tokenOf };
  }

  it('makes one token exchange per distinct parameter set for a burst', async () => {
    const { tokenOf } = setup();
    const sets = [
      undefined,
      { scope: 'a' },
      { scope: ['b', 'c'] },
      { scope: 'c b' },
      { resource: 'https://r.example/' },
      { audience: 'aud' },
    ];
    const seen = await Promise.all(
      Array.from({ length: 120 }, (_, i) => {
        const set = sets[i % sets.length];
        return tokenOf(set === undefined ? {} : { tokenParameters: set });
      }),
    );
    expect(tokens.requests).toHaveLength(5);
    const echoed = (i: number) => seen[i]!.split('|').slice(1);
    expect(echoed(0)).toEqual(['base', '', '']);
    expect(echoed(1)).toEqual(['a', '', '']);
    expect(echoed(2)).toEqual(echoed(3));
    expect(echoed(4)).toEqual(['base', 'https://r.example/', '']);
    expect(echoed(5)).toEqual(['base', '', 'aud']);
    for (let i = 0; i < seen.length; i += 1) expect(seen[i]).toBe(seen[i % sets.length]);
  });

  it("serves parameters equal to the installation's from the installation's own entry", async () => {
    const { tokenOf } = setup({ scope: ['x', 'y'] });
    const own = await tokenOf();
    expect(await tokenOf({ tokenParameters: { scope: 'y x' } })).toBe(own);
    expect(await tokenOf({ tokenParameters: { scope: undefined } })).toBe(own);
    expect(tokens.requests).toHaveLength(1);
  });

  it('renews only the rejected entry on a 401 replay', async () => {
    const { tokenOf } = setup();
    const a1 = await tokenOf({ tokenParameters: { scope: 'a' } });
    const b1 = await tokenOf({ tokenParameters: { scope: 'b' } });
    revoked.add(a1);
    const a2 = await tokenOf({ tokenParameters: { scope: 'a' } });
    expect(a2).not.toBe(a1);
    expect(a2.split('|')[1]).toBe('a');
    expect(await tokenOf({ tokenParameters: { scope: 'b' } })).toBe(b1);
    expect(tokens.requests).toHaveLength(3);
    expect(new URLSearchParams(tokens.requests[2]!.body).get('scope')).toBe('a');
    expect(api.requests).toHaveLength(5);
  });

  it('rejects a request with invalid tokenParameters with a TypeError naming the parameter, sending nothing', async () => {
    const { instance } = setup();
    await expect(instance.get('/', { tokenParameters: { scope: 'bad"scope' } })).rejects.toThrow(
      new TypeError('"tokenParameters.scope" holds a scope token with characters RFC 6749 §3.3 does not allow'),
    );
    await expect(instance.get('/', { tokenParameters: { resource: 'https://r/#f' } })).rejects.toThrow(
      new TypeError('"tokenParameters.resource" must not include a fragment (RFC 8707 §2)'),
    );
    await expect(instance.get('/', { tokenParameters: { audience: '' } })).rejects.toThrow(
      new TypeError('"tokenParameters.audience" must be a non-empty string'),
    );
    await expect(
      instance.get('/', { tokenParameters: { scopes: 'a' } as unknown as { scope: string } }),
    ).rejects.toThrow(new TypeError('"tokenParameters" has unknown parameter "scopes"'));
    expect(tokens.requests).toHaveLength(0);
    expect(api.requests).toHaveLength(0);
  });

  it('gets and invalidates the token of given parameters through the handle', async () => {
    const { handle, tokenOf } = setup();
    const a1 = (await handle.getToken({ scope: 'a' })).accessToken;
    expect(await tokenOf({ tokenParameters: { scope: 'a' } })).toBe(a1);
    const own = await tokenOf();
    await handle.invalidate({ scope: 'a' });
    expect(await tokenOf()).toBe(own);
    const a2 = (await handle.getToken({ scope: 'a' })).accessToken;
    expect(a2).not.toBe(a1);
    expect(tokens.requests).toHaveLength(3);
    await expect(handle.getToken({ audience: 42 as unknown as string })).rejects.toThrow(TypeError);
  });
});

describe('TokenManagers', () => {
  it(`keeps at most ${MAX_PARAMETER_SETS} parameter sets besides the installation's own, dropping the least recently used`, () => {
    const created: string[] = [];
    const managers = new TokenManagers({ scopes: ['own'], resources: [], audience: undefined }, (parameters) => {
      created.push(parameters.scopes.join(' '));
      return {} as TokenManager;
    });
    const first = managers.for({ scope: 's0' });
    for (let i = 1; i < MAX_PARAMETER_SETS; i += 1) managers.for({ scope: `s${i}` });
    expect(managers.for({ scope: 's0' })).toBe(first);
    managers.for({ scope: 'one-more' });
    expect(managers.for({ scope: 's0' })).toBe(first);
    const created1 = created.length;
    managers.for({ scope: 's1' });
    expect(created.length).toBe(created1 + 1);
    expect(managers.for({})).toBe(managers.default);
    expect(created[0]).toBe('own');
  });
});
