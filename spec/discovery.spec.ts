import { inspect } from 'node:util';
import axios from 'axios';
import { ClientCredentialsError, DiscoveryError, installClientCredentials, MemoryTokenStore } from '../lib';
import { metadataUrls, selectMethod } from '../lib/discovery';
import { json, startLoopbackServer, type LoopbackServer } from './support/loopback';

describe('metadataUrls()', () => {
  it('inserts the RFC 8414 well-known segment before the path and appends the OpenID one', () => {
    expect(metadataUrls('https://as.example.com/tenant/1')).toEqual([
      'https://as.example.com/.well-known/oauth-authorization-server/tenant/1',
      'https://as.example.com/tenant/1/.well-known/openid-configuration',
    ]);
  });

  it('drops a terminating slash (RFC 8414 §3.1)', () => {
    expect(metadataUrls('https://as.example.com/')).toEqual([
      'https://as.example.com/.well-known/oauth-authorization-server',
      'https://as.example.com/.well-known/openid-configuration',
    ]);
    expect(metadataUrls('https://as.example.com/t/')[0]).toBe(
      'https://as.example.com/.well-known/oauth-authorization-server/t',
    );
  });
});

describe('selectMethod()', () => {
  it('picks the first candidate the server supports', () => {
    expect(selectMethod(['private_key_jwt', 'client_secret_basic'], ['client_secret_basic', 'private_key_jwt'])).toBe(
      'private_key_jwt',
    );
    expect(selectMethod(['client_secret_basic', 'client_secret_post'], ['client_secret_post'])).toBe(
      'client_secret_post',
    );
  });

  it('assumes client_secret_basic when the server lists nothing (RFC 8414 §2)', () => {
    expect(selectMethod(['private_key_jwt', 'client_secret_basic'])).toBe('client_secret_basic');
    expect(selectMethod(['private_key_jwt'])).toBeUndefined();
  });
});

describe('installClientCredentials() with "issuer"', () => {
  let metadata: LoopbackServer;
  let tokens: LoopbackServer;
  let api: LoopbackServer;
  let issuer: string;
  let document: (issuer: string) => [number, unknown];

  beforeAll(async () => {
    tokens = await startLoopbackServer((_req, res) =>
      json(res, 200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 }),
    );
    api = await startLoopbackServer((_req, res) => json(res, 200, { ok: true }));
    metadata = await startLoopbackServer((req, res) => {
      const [status, body] =
        req.url === '/.well-known/oauth-authorization-server/tenant' ? document(issuer) : [404, {}];
      json(res, status, body);
    });
    issuer = `${metadata.origin}/tenant`;
  });

  afterAll(() => Promise.all([metadata.close(), tokens.close(), api.close()]));

  beforeEach(() => {
    for (const server of [metadata, tokens, api]) server.requests.length = 0;
    document = (iss) => [200, { issuer: iss, token_endpoint: `${tokens.origin}/token` }];
  });

  function setup() {
    const client = axios.create({ baseURL: api.origin });
    const handle = installClientCredentials(client, {
      issuer,
      clientId: 'svc',
      clientSecret: 'secret',
      store: new MemoryTokenStore(),
    });
    return { client, handle };
  }

  it('finds the token endpoint at the RFC 8414 location and uses client_secret_basic by default', async () => {
    const { client } = setup();
    await client.get('/a');
    expect(metadata.requests.map((r) => r.url)).toEqual(['/.well-known/oauth-authorization-server/tenant']);
    expect(tokens.requests).toHaveLength(1);
    expect(tokens.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('svc:secret').toString('base64')}`);
    expect(api.requests[0]!.headers.authorization).toBe('Bearer at-1');
  });

  it('refuses metadata naming another issuer, and never calls the token endpoint or the API', async () => {
    document = () => [200, { issuer: 'https://evil.example.com', token_endpoint: `${tokens.origin}/token` }];
    const { client } = setup();
    const error = (await client.get('/a').catch((e: unknown) => e)) as DiscoveryError;
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toBeInstanceOf(ClientCredentialsError);
    expect(error.code).toBe('ISSUER_MISMATCH');
    expect(error.issuer).toBe(issuer);
    expect(error.message).toBe(
      `issuer metadata names "https://evil.example.com", not the configured "issuer" "${issuer}" (RFC 8414 §3.3)`,
    );
    expect(tokens.requests).toHaveLength(0);
    expect(api.requests).toHaveLength(0);
  });

  it('refuses an issuer that differs only by a trailing slash', async () => {
    document = (iss) => [200, { issuer: `${iss}/`, token_endpoint: `${tokens.origin}/token` }];
    await expect(setup().handle.getToken()).rejects.toMatchObject({ code: 'ISSUER_MISMATCH' });
  });

  it('fails with DISCOVERY_FAILED when there is no metadata, and fetches again on the next call', async () => {
    document = () => [500, { error: 'down' }];
    const { client, handle } = setup();
    const error = (await handle.getToken().catch((e: unknown) => e)) as DiscoveryError;
    expect(error).toMatchObject({ name: 'DiscoveryError', code: 'DISCOVERY_FAILED', status: 404 });
    expect(metadata.requests.map((r) => r.url)).toEqual([
      '/.well-known/oauth-authorization-server/tenant',
      '/tenant/.well-known/openid-configuration',
    ]);
    expect(api.requests).toHaveLength(0);

    document = (iss) => [200, { issuer: iss, token_endpoint: `${tokens.origin}/token` }];
    expect((await client.get('/a')).status).toBe(200);
    expect(metadata.requests).toHaveLength(3);
  });

  it('discovers again after a token request fails without an OAuth error', async () => {
    const { handle } = setup();
    await handle.getToken();
    tokens.handle((_req, res) => json(res, 503, { down: true }));
    try {
      await handle.invalidate();
      await expect(handle.getToken()).rejects.toMatchObject({ code: 'TOKEN_RESPONSE_HTTP_ERROR' });
      // The 503 is tried three times (two retries) against the same discovered endpoint.
      expect(tokens.requests).toHaveLength(4);
      expect(metadata.requests).toHaveLength(1);
    } finally {
      tokens.handle((_req, res) => json(res, 200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 }));
    }
    await handle.getToken();
    expect(metadata.requests).toHaveLength(2);
    expect(tokens.requests).toHaveLength(5);
  });

  it('refuses a token endpoint that is not https outside loopback', async () => {
    document = (iss) => [200, { issuer: iss, token_endpoint: 'http://auth.example.com/token' }];
    await expect(setup().handle.getToken()).rejects.toMatchObject({
      code: 'DISCOVERY_FAILED',
      message: 'issuer metadata "token_endpoint" must be an https: URL',
    });
  });

  it('fails when the server supports none of the methods the options allow', async () => {
    document = (iss) => [
      200,
      {
        issuer: iss,
        token_endpoint: `${tokens.origin}/token`,
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      },
    ];
    const error = (await setup()
      .handle.getToken()
      .catch((e: unknown) => e)) as DiscoveryError;
    expect(error.code).toBe('DISCOVERY_FAILED');
    expect(error.message).toContain('"client_secret_basic", "client_secret_post", "client_secret_jwt"');
    expect(inspect(error)).not.toContain('secret"');
  });
});
