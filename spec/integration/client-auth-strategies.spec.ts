import { generateKeyPairSync, randomUUID } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import { SignJWT } from 'jose';
import {
  clientAssertion,
  clientSecretBasic,
  clientSecretJwt,
  clientSecretPost,
  installClientCredentials,
  MemoryTokenStore,
  privateKeyJwt,
  type ClientAuth,
  type ClientCredentialsOptions,
} from '../../lib';
import { oidcClient, startOidcServer, type OidcServer } from '../support/oidc';

const SCOPE = 'invoices:read';
const HMAC_SECRET = 'a-client-secret-long-enough-for-hs256-0123456789abcdef';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

const client = (client_id: string, method: string, extra: object) => oidcClient(client_id, method, SCOPE, extra);

let server: OidcServer;

beforeAll(async () => {
  server = await startOidcServer({
    clients: [
      client('demo-client', 'client_secret_basic', { client_secret: 'demo-secret' }),
      client('post-client', 'client_secret_post', { client_secret: 'post-secret' }),
      client('hmac-client', 'client_secret_jwt', { client_secret: HMAC_SECRET }),
      client('rsa-client', 'private_key_jwt', {
        jwks: { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1' }] },
      }),
    ],
  });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** An assertion as a platform mints it for `rsa-client`. */
function mint(): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
    .setIssuer('rsa-client')
    .setSubject('rsa-client')
    .setAudience(server.issuer)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(rsa.privateKey);
}

/** A token client that records each token request's body and Authorization header. */
function recordingTokenClient(): {
  tokenClient: AxiosInstance;
  sent: Array<{ body: URLSearchParams; basic: boolean }>;
} {
  const tokenClient = axios.create();
  const sent: Array<{ body: URLSearchParams; basic: boolean }> = [];
  tokenClient.interceptors.request.use((config) => {
    const basic = String(config.headers['Authorization'] ?? '').startsWith('Basic ');
    if (config.method === 'post') sent.push({ body: new URLSearchParams(String(config.data)), basic });
    return config;
  });
  return { tokenClient, sent };
}

function install(options: Partial<ClientCredentialsOptions> & Pick<ClientCredentialsOptions, 'clientId'>) {
  const api = axios.create({ baseURL: server.apiUrl });
  const { tokenClient, sent } = recordingTokenClient();
  const handle = installClientCredentials(api, {
    tokenUrl: server.tokenUrl,
    scope: SCOPE,
    store: new MemoryTokenStore(),
    tokenClient,
    ...options,
  });
  return { api, handle, sent };
}

describe('installClientCredentials() with a "clientAuth" strategy', () => {
  it.each<[string, string, () => ClientAuth]>([
    ['clientSecretBasic()', 'demo-client', () => clientSecretBasic('demo-secret')],
    ['clientSecretBasic() with a provider', 'demo-client', () => clientSecretBasic(async () => 'demo-secret')],
    ['clientSecretPost()', 'post-client', () => clientSecretPost('post-secret')],
    ['clientSecretJwt()', 'hmac-client', () => clientSecretJwt(HMAC_SECRET)],
    ['privateKeyJwt()', 'rsa-client', () => privateKeyJwt(rsa.privateKey, { keyId: 'rsa-1' })],
    ['clientAssertion()', 'rsa-client', () => clientAssertion(mint)],
  ])('calls the API with a token got by %s in exactly one token request', async (_name, clientId, strategy) => {
    const { api } = install({ clientId, clientAuth: strategy() });
    expect((await api.get('/invoices')).status).toBe(200);
    expect(await server.stats()).toMatchObject({ tokenRequests: 1, tokenSuccesses: 1, apiRequests: 1 });
  });

  it("uses the strategy's method with an issuer, not the first one the server supports", async () => {
    const { api, sent } = install({
      tokenUrl: undefined,
      issuer: server.issuer,
      clientId: 'post-client',
      clientAuth: clientSecretPost('post-secret'),
    });
    expect((await api.get('/invoices')).status).toBe(200);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.basic).toBe(false);
    expect(sent[0]!.body.get('client_secret')).toBe('post-secret');
  });

  it('shares the cached token of the equivalent flat options', async () => {
    const store = new MemoryTokenStore();
    const flat = install({ clientId: 'demo-client', clientSecret: 'demo-secret', store });
    const strategy = install({ clientId: 'demo-client', clientAuth: clientSecretBasic('demo-secret'), store });
    const token = await flat.handle.getToken();
    expect((await strategy.handle.getToken()).accessToken).toBe(token.accessToken);
    expect(await server.stats()).toMatchObject({ tokenRequests: 1 });
  });

  it('does not share a token with a strategy of another secret', async () => {
    const store = new MemoryTokenStore();
    const right = install({ clientId: 'demo-client', clientAuth: clientSecretBasic('demo-secret'), store });
    const wrong = install({ clientId: 'demo-client', clientAuth: clientSecretBasic('not-the-secret'), store });
    await right.handle.getToken();
    await expect(wrong.handle.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    expect(await server.stats()).toMatchObject({ tokenRequests: 2, tokenSuccesses: 1 });
  });
});
