import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { inspect } from 'node:util';
import axios, { type AxiosInstance } from 'axios';
import { installClientCredentials, MemoryTokenStore, OAuth2Error, type ClientCredentialsOptions } from '../../lib';
import { oidcClient, startOidcServer, type OidcServer } from '../support/oidc';

const SCOPES = 'invoices:read invoices:write reports:read';
const HMAC_SECRET = 'a-client-secret-long-enough-for-hs256-0123456789abcdef';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const RSA_PEM = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const EC_JWK: JsonWebKey = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256' };

const client = (client_id: string, method: string, extra: object) => oidcClient(client_id, method, SCOPES, extra);

let server: OidcServer;

beforeAll(async () => {
  server = await startOidcServer({
    clients: [
      client('rsa-client', 'private_key_jwt', {
        jwks: { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' }] },
      }),
      client('ec-client', 'private_key_jwt', {
        jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256' }] },
      }),
      client('hmac-client', 'client_secret_jwt', { client_secret: HMAC_SECRET }),
      client('demo-client', 'client_secret_basic', { client_secret: 'demo-secret' }),
    ],
  });
});

afterAll(() => server.close());

beforeEach(() => server.reset());

/** A token client that records every token request body it sends. */
function recordingTokenClient(): { tokenClient: AxiosInstance; bodies: URLSearchParams[] } {
  const tokenClient = axios.create();
  const bodies: URLSearchParams[] = [];
  tokenClient.interceptors.request.use((config) => {
    if (config.method === 'post') bodies.push(new URLSearchParams(String(config.data)));
    return config;
  });
  return { tokenClient, bodies };
}

function setup(options: Partial<ClientCredentialsOptions>) {
  const api = axios.create({ baseURL: server.apiUrl });
  const handle = installClientCredentials(api, {
    clientId: 'rsa-client',
    store: new MemoryTokenStore(),
    ...options,
  } as ClientCredentialsOptions);
  return { api, handle };
}

function claims(assertion: string | null): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(assertion).split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** POSTs a raw form body to the token endpoint with node:http. */
function postForm(url: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('private_key_jwt and client_secret_jwt against oidc-provider', () => {
  it('authenticates with private_key_jwt and an RSA PKCS#8 PEM', async () => {
    const { tokenClient, bodies } = recordingTokenClient();
    const { api } = setup({
      tokenUrl: server.tokenUrl,
      clientAuthMethod: 'private_key_jwt',
      privateKey: RSA_PEM,
      keyId: 'rsa-1',
      tokenClient,
    });
    expect((await api.get<{ clientId: string }>('/whoami')).data.clientId).toBe('rsa-client');
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(bodies[0]!.get('client_secret')).toBeNull();
    // No issuer configured: the audience is the token endpoint URL.
    expect(claims(bodies[0]!.get('client_assertion'))).toMatchObject({
      iss: 'rsa-client',
      sub: 'rsa-client',
      aud: server.tokenUrl,
    });
    expect(await server.stats()).toMatchObject({ tokenRequests: 1, tokenSuccesses: 1, apiUnauthorized: 0 });
  });

  it('authenticates with private_key_jwt and an EC JWK, picking the method and the endpoint by discovery', async () => {
    const { tokenClient, bodies } = recordingTokenClient();
    const { api } = setup({ issuer: server.issuer, clientId: 'ec-client', privateKey: EC_JWK, tokenClient });
    expect((await api.get<{ clientId: string }>('/whoami')).data.clientId).toBe('ec-client');
    const assertion = bodies[0]!.get('client_assertion')!;
    expect(JSON.parse(Buffer.from(assertion.split('.')[0]!, 'base64url').toString('utf8'))).toEqual({
      alg: 'ES256',
      kid: 'ec-1',
    });
    // The issuer is known: it is the audience (draft-ietf-oauth-rfc7523bis).
    expect(claims(assertion)['aud']).toBe(server.issuer);
  });

  it('authenticates with client_secret_jwt (HS256) and never sends the secret', async () => {
    const { tokenClient, bodies } = recordingTokenClient();
    const { api } = setup({
      tokenUrl: server.tokenUrl,
      clientId: 'hmac-client',
      clientSecret: HMAC_SECRET,
      clientAuthMethod: 'client_secret_jwt',
      tokenClient,
    });
    expect((await api.get<{ clientId: string }>('/whoami')).data.clientId).toBe('hmac-client');
    const sent = bodies[0]!.toString();
    expect(sent).not.toContain(HMAC_SECRET);
    expect(JSON.parse(Buffer.from(bodies[0]!.get('client_assertion')!.split('.')[0]!, 'base64url').toString())).toEqual(
      { alg: 'HS256' },
    );
  });

  it('signs a fresh jti for back-to-back exchanges, and the server rejects a replayed assertion', async () => {
    const { tokenClient, bodies } = recordingTokenClient();
    const { handle } = setup({ tokenUrl: server.tokenUrl, privateKey: RSA_PEM, keyId: 'rsa-1', tokenClient });
    await handle.getToken();
    await handle.invalidate();
    await handle.getToken();
    expect(await server.stats()).toMatchObject({ tokenRequests: 2, tokenSuccesses: 2, tokenFailures: 0 });
    const jtis = bodies.map((body) => claims(body.get('client_assertion'))['jti']);
    expect(jtis).toHaveLength(2);
    expect(jtis[0]).not.toBe(jtis[1]);

    // The same assertion again is a replay (RFC 7523 §3, item 7): oidc-provider refuses it.
    const replay = await postForm(server.tokenUrl, bodies[1]!.toString());
    expect(replay.status).toBe(401);
    expect(replay.json['error']).toBe('invalid_client');
  });

  it('reports a key the server does not know as an OAuth2Error without the key or the assertion', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const { tokenClient, bodies } = recordingTokenClient();
    const { handle } = setup({ tokenUrl: server.tokenUrl, clientId: 'ec-client', privateKey: stranger, tokenClient });
    const error = (await handle.getToken().catch((e: unknown) => e)) as OAuth2Error;
    expect(error).toBeInstanceOf(OAuth2Error);
    expect(error.error).toBe('invalid_client');
    const assertion = bodies[0]!.get('client_assertion')!;
    for (const text of [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), error.message]) {
      expect(text).not.toContain(assertion);
      expect(text).not.toContain(assertion.split('.')[2]!);
    }
  });

  it('makes one metadata request and one token request for a burst of 100 calls with "issuer"', async () => {
    const tokenClient = axios.create();
    const { api } = setup({ issuer: server.issuer, privateKey: RSA_PEM, keyId: 'rsa-1', tokenClient });
    const responses = await Promise.all(Array.from({ length: 100 }, () => api.get('/invoices')));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(100);
    // A second installation with the same token client and issuer reuses the cached metadata.
    const second = setup({ issuer: server.issuer, clientId: 'demo-client', clientSecret: 'demo-secret', tokenClient });
    expect((await second.api.get<{ clientId: string }>('/whoami')).data.clientId).toBe('demo-client');
    expect(await server.discoveryStats()).toEqual({ metadataRequests: 1 });
    expect(await server.stats()).toMatchObject({ tokenRequests: 2, tokenSuccesses: 2, apiRequests: 101 });
  });
});
