import { inspect } from 'node:util';
import axios from 'axios';
import {
  ClientCredentialsError,
  installClientCredentials,
  MemoryTokenStore,
  OAuth2Error,
  type ClientCredentialsEvent,
  type ClientCredentialsOptions,
} from '../../lib';
import { json, startLoopbackServer, type LoopbackServer } from '../support/loopback';

/** The secret the token endpoint accepts now; the test rotates it. */
let accepted = 'secret-one';
let tokens: LoopbackServer;
let api: LoopbackServer;
let issued = 0;

/** The client's credentials from Basic or from the body (client_secret_post). */
function credentialsOf(authorization: string | undefined, body: URLSearchParams): string | undefined {
  if (authorization?.startsWith('Basic ')) {
    const pair = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    return decodeURIComponent(pair.slice(pair.indexOf(':') + 1).replace(/\+/g, ' '));
  }
  return body.get('client_secret') ?? undefined;
}

beforeAll(async () => {
  tokens = await startLoopbackServer((req, res) => {
    const secret = credentialsOf(req.headers.authorization, new URLSearchParams(req.body));
    if (secret !== accepted) return json(res, 401, { error: 'invalid_client' });
    issued += 1;
    return json(res, 200, { access_token: `token-${issued}`, token_type: 'Bearer', expires_in: 3600 });
  });
  api = await startLoopbackServer((req, res) => json(res, 200, { authorization: req.headers.authorization }));
});
afterAll(async () => {
  await tokens.close();
  await api.close();
});
beforeEach(() => {
  accepted = 'secret-one';
  issued = 0;
  tokens.requests.length = 0;
  api.requests.length = 0;
});

function setup(
  clientSecret: ClientCredentialsOptions['clientSecret'],
  options: Partial<ClientCredentialsOptions> = {},
) {
  const instance = axios.create({ baseURL: api.origin });
  const events: ClientCredentialsEvent[] = [];
  const handle = installClientCredentials(instance, {
    tokenUrl: `${tokens.origin}/token`,
    clientId: 'client',
    clientSecret,
    store: new MemoryTokenStore(),
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { instance, handle, events };
}

describe('clientSecret as a provider function', () => {
  it('asks a sync provider once for the key and once per token request, and not on warm requests', async () => {
    let calls = 0;
    const { instance } = setup(() => {
      calls += 1;
      return 'secret-one';
    });
    await Promise.all(Array.from({ length: 20 }, () => instance.get('/')));
    expect(calls).toBe(2);
    await instance.get('/');
    expect(calls).toBe(2);
    expect(tokens.requests).toHaveLength(1);
  });

  it('sends the value of an async provider with client_secret_post', async () => {
    const { instance } = setup(async () => Promise.resolve('secret-one'), { clientAuthMethod: 'client_secret_post' });
    await instance.get('/');
    expect(new URLSearchParams(tokens.requests[0]!.body).get('client_secret')).toBe('secret-one');
  });

  it("costs one failed exchange at most when the secret rotates mid-flight, and moves the token to the new secret's entry", async () => {
    const store = new MemoryTokenStore();
    // The provider still hands out the old secret when the exchange asks, the new one right after.
    const values = ['secret-one', 'secret-one', 'secret-two'];
    let calls = 0;
    const { instance, handle, events } = setup(() => values[Math.min(calls++, values.length - 1)]!, { store });
    accepted = 'secret-two';

    const response = await instance.get<{ authorization: string }>('/');

    expect(response.data.authorization).toBe('Bearer token-1');
    expect(tokens.requests).toHaveLength(2);
    expect(handle.stats()).toMatchObject({ exchanges: 1, tokenRequests: 2, failures: 0 });
    expect(events.filter((event) => event.type === 'exchange_failed')).toEqual([]);
    // The entry is the new secret's: an installation with that secret as a string finds it, one with the old does not.
    const withNew = setup('secret-two', { store });
    expect((await withNew.handle.getToken()).accessToken).toBe('token-1');
    accepted = 'secret-one';
    const withOld = setup('secret-one', { store });
    expect((await withOld.handle.getToken()).accessToken).toBe('token-2');
  });

  it('starts the cooldown after invalid_client when the provider, asked once more, returns the same secret', async () => {
    let calls = 0;
    const { instance } = setup(() => {
      calls += 1;
      return 'wrong';
    });
    const first = await instance.get('/').catch((error: unknown) => error);
    expect(first).toBeInstanceOf(OAuth2Error);
    expect(first).toMatchObject({ error: 'invalid_client' });
    expect(tokens.requests).toHaveLength(1);
    expect(calls).toBe(3);
    await expect(instance.get('/')).rejects.toBe(first);
    expect(tokens.requests).toHaveLength(1);
    expect(api.requests).toHaveLength(0);
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('vault sealed');
      },
      'vault sealed',
    ],
    ['rejects', () => Promise.reject(new Error('file not found')), 'file not found'],
    ['returns an empty string', () => '', undefined],
  ])(
    'fails with CREDENTIAL_PROVIDER_FAILED, sending nothing, when the provider %s',
    async (_what, provider, causeMessage) => {
      const { instance } = setup(provider as () => string);
      const error = await instance.get('/').catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(ClientCredentialsError);
      expect(error).toMatchObject({ name: 'ClientCredentialsError', code: 'CREDENTIAL_PROVIDER_FAILED' });
      expect((error as Error).cause === undefined ? undefined : ((error as Error).cause as Error).message).toBe(
        causeMessage,
      );
      expect(tokens.requests).toHaveLength(0);
      expect(api.requests).toHaveLength(0);
    },
  );

  it('never shows the provided secret in errors, events or the handle', async () => {
    const secret = 'provided-secret-value';
    const { instance, handle, events } = setup(() => secret);
    const error = await instance.get('/').catch((failure: unknown) => failure);
    for (const shown of [inspect(error, { depth: 10 }), JSON.stringify(error), JSON.stringify(events), inspect(handle)])
      expect(shown).not.toContain(secret);
  });

  it('refuses a clientSecret that is neither a non-empty string nor a function at install', () => {
    expect(() => setup(42 as unknown as string)).toThrow(
      new TypeError('"clientSecret" option must be a non-empty string or a function returning one'),
    );
  });
});
