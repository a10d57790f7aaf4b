import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import axios from 'axios';
import { SignJWT } from 'jose';
import {
  ClientCredentialsError,
  installClientCredentials,
  MemoryTokenStore,
  type ClientCredentialsEvent,
  type ClientCredentialsOptions,
} from '../../lib';
import { startOidcServer, type OidcServer } from '../support/oidc';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
let server: OidcServer;

beforeAll(async () => {
  server = await startOidcServer({
    clients: [
      {
        client_id: 'workload',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'private_key_jwt',
        scope: 'invoices:read',
        jwks: { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'platform-1' }] },
      },
    ],
  });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** What the platform would mint: an RS256 assertion for the client, signed with the platform's key. */
async function mint(): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'platform-1' })
    .setIssuer('workload')
    .setSubject('workload')
    .setAudience(server.issuer)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(rsa.privateKey);
}

function setup(options: Partial<ClientCredentialsOptions>) {
  const api = axios.create({ baseURL: server.apiUrl });
  const events: ClientCredentialsEvent[] = [];
  const handle = installClientCredentials(api, {
    tokenUrl: server.tokenUrl,
    clientId: 'workload',
    scope: 'invoices:read',
    store: new MemoryTokenStore(),
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { api, handle, events };
}

describe('clientAssertion against oidc-provider', () => {
  it('authenticates with an assertion the platform signed, calling the provider on every exchange', async () => {
    let calls = 0;
    const { api, handle } = setup({
      clientAssertion: () => {
        calls += 1;
        return mint();
      },
    });
    const responses = await Promise.all(Array.from({ length: 10 }, () => api.get<{ clientId: string }>('/whoami')));
    expect(responses.map((response) => response.data.clientId)).toEqual(Array.from({ length: 10 }, () => 'workload'));
    await handle.invalidate();
    await api.get('/whoami');
    expect(calls).toBe(2);
    expect(await server.stats()).toMatchObject({ tokenRequests: 2, tokenSuccesses: 2, apiRequests: 11 });
  });

  it('fails with CREDENTIAL_PROVIDER_FAILED and sends nothing when the provider rejects or returns no JWT', async () => {
    for (const clientAssertion of [() => Promise.reject(new Error('token file missing')), () => 'not a jwt']) {
      const { api } = setup({ clientAssertion });
      const error = await api.get('/whoami').catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(ClientCredentialsError);
      expect(error).toMatchObject({ code: 'CREDENTIAL_PROVIDER_FAILED' });
    }
    expect(await server.stats()).toMatchObject({ tokenRequests: 0, apiRequests: 0 });
  });

  it('never shows the assertion in errors, events or the handle', async () => {
    const assertion = await mint();
    // Rejected: the jti was used once already by the first exchange, so the second one fails.
    const { api, handle, events } = setup({ clientAssertion: () => assertion });
    await api.get('/whoami');
    await handle.invalidate();
    const error = await api.get('/whoami').catch((failure: unknown) => failure);
    expect(error).toMatchObject({ name: 'OAuth2Error', error: 'invalid_client' });
    for (const shown of [inspect(error, { depth: 10 }), JSON.stringify(error), JSON.stringify(events), inspect(handle)])
      expect(shown).not.toContain(assertion);
  });

  it('shares a token between installations given the same function, not with another function', async () => {
    const store = new MemoryTokenStore();
    const provider = () => mint();
    const first = setup({ clientAssertion: provider, store });
    const second = setup({ clientAssertion: provider, store });
    const other = setup({ clientAssertion: () => mint(), store });
    const [a, b] = [await first.handle.getToken(), await second.handle.getToken()];
    expect(b.accessToken).toBe(a.accessToken);
    expect((await other.handle.getToken()).accessToken).not.toBe(a.accessToken);
    expect(await server.stats()).toMatchObject({ tokenRequests: 2 });
  });

  it.each([
    ['a string', { clientAssertion: 'eyJ.x.y' }, '"clientAssertion" option must be a function returning a signed JWT'],
    [
      'with clientSecret',
      { clientAssertion: (): string => 'a.b.c', clientSecret: 's' },
      '"clientAssertion" option cannot be combined with "clientSecret"; give one of them',
    ],
    [
      'with privateKey',
      { clientAssertion: (): string => 'a.b.c', privateKey: rsa.privateKey },
      '"clientAssertion" option cannot be combined with "privateKey"; give one of them',
    ],
    [
      'with client_secret_basic',
      { clientAssertion: (): string => 'a.b.c', clientAuthMethod: 'client_secret_basic' },
      '"clientAssertion" option is sent as "private_key_jwt" and cannot be used with "client_secret_basic"',
    ],
  ])('refuses clientAssertion %s at install with a TypeError naming it', (_what, options, message) => {
    expect(() => setup(options as Partial<ClientCredentialsOptions>)).toThrow(new TypeError(message));
  });
});
