import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import {
  installClientCredentials,
  MemoryTokenStore,
  type AccessToken,
  type ClientCredentialsHandle,
  type ClientCredentialsOptions,
} from '../lib';
import * as optionsHeld from '../lib/options-held';

const TOKEN_URL = 'https://auth.example.com/oauth/token';

/** Counts `new Map()` while `run` runs: lib code reads the global `Map` when it constructs one. */
function mapsMadeBy(run: () => void): number {
  const RealMap = globalThis.Map;
  let made = 0;
  globalThis.Map = class CountedMap<K, V> extends RealMap<K, V> {
    constructor(entries?: Iterable<readonly [K, V]> | null) {
      super(entries);
      made += 1;
    }
  } as MapConstructor;
  try {
    run();
  } finally {
    globalThis.Map = RealMap;
  }
  return made;
}

describe('installClientCredentials()', () => {
  const tokenClient = axios.create();
  new MockAdapter(tokenClient)
    .onPost(TOKEN_URL)
    .reply(200, { access_token: 'lean-token', token_type: 'Bearer', expires_in: 3600 });
  const options = {
    tokenUrl: TOKEN_URL,
    clientId: 'lean-client',
    clientSecret: 'lean-secret',
    scope: 'invoices:read',
    store: new MemoryTokenStore(),
    tokenClient,
  };

  it('makes no Map for 100 installations sharing one configuration before their first request', () => {
    // axios.create() makes Maps of its own: the instances are made outside the count.
    const instances = Array.from({ length: 100 }, () => axios.create({ baseURL: 'https://api.example.com' }));
    const handles: ClientCredentialsHandle[] = [];
    const made = mapsMadeBy(() => {
      for (const instance of instances) handles.push(installClientCredentials(instance, options));
    });
    expect(made).toBe(0);
    expect(handles).toHaveLength(100);
  });

  it('builds what an installation needs on its first request and sends the token', async () => {
    const instance = axios.create({ baseURL: 'https://api.example.com' });
    const seen: unknown[] = [];
    new MockAdapter(instance).onGet('/invoices').reply((config) => {
      seen.push(config.headers?.['Authorization']);
      return [200, {}];
    });
    const handle = installClientCredentials(instance, options);
    expect(handle.stats()).toMatchObject({ exchanges: 0, cacheHits: 0 });
    await instance.get('/invoices');
    await instance.get('/invoices');
    expect(seen).toEqual(['Bearer lean-token', 'Bearer lean-token']);
    expect(handle.stats()).toMatchObject({ exchanges: 1, cacheHits: 1, waits: 1 });
  });

  it('keeps working with its methods detached from the handle', async () => {
    const instance = axios.create({ baseURL: 'https://api.example.com' });
    const own = { ...options, store: new MemoryTokenStore() };
    const { getToken, stats, invalidate, eject } = installClientCredentials(instance, own);
    expect((await getToken()).accessToken).toBe('lean-token');
    await invalidate();
    expect((await getToken()).accessToken).toBe('lean-token');
    expect(stats()).toMatchObject({ exchanges: 2 });
    eject();
    expect(() => installClientCredentials(instance, own)).not.toThrow();
  });

  it('lets jest.spyOn() replace and restore a handle method', async () => {
    const handle = installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
      ...options,
      store: new MemoryTokenStore(),
    });
    const fake: AccessToken = { accessToken: 'fake', tokenType: 'Bearer', issuedAt: 0, expiresAt: 1 };
    const spy = jest.spyOn(handle, 'getToken').mockResolvedValue(fake);
    expect(await handle.getToken()).toBe(fake);
    spy.mockRestore();
    expect((await handle.getToken()).accessToken).toBe('lean-token');
  });
});

describe('one options object for many installations', () => {
  const tokenRequests = (): { tokenClient: ReturnType<typeof axios.create>; scopes: string[] } => {
    const tokenClient = axios.create();
    const scopes: string[] = [];
    new MockAdapter(tokenClient).onPost(TOKEN_URL).reply((config) => {
      scopes.push(new URLSearchParams(config.data as string).get('scope') ?? '');
      return [200, { access_token: `token-${scopes.length}`, token_type: 'Bearer', expires_in: 3600 }];
    });
    return { tokenClient, scopes };
  };

  it('resolves the options once for 100 installations that share them', () => {
    const held = jest.spyOn(optionsHeld, 'held');
    try {
      const options = { tokenUrl: TOKEN_URL, clientId: 'shared', clientSecret: 's', store: new MemoryTokenStore() };
      for (let i = 0; i < 100; i += 1)
        installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), options);
      expect(held).toHaveBeenCalledTimes(1);
    } finally {
      held.mockRestore();
    }
  });

  it('resolves them again once a value is replaced or an array changed in place', async () => {
    const { tokenClient, scopes } = tokenRequests();
    const options = { tokenUrl: TOKEN_URL, clientId: 'c', clientSecret: 's', tokenClient, scope: ['a'] };
    const first = installClientCredentials(axios.create({ baseURL: 'https://one.example.com' }), options);
    options.scope.push('b');
    const second = installClientCredentials(axios.create({ baseURL: 'https://two.example.com' }), options);
    (options as { clientSecret: string }).clientSecret = 'rotated';
    const third = installClientCredentials(axios.create({ baseURL: 'https://three.example.com' }), options);
    await first.getToken();
    await second.getToken();
    await third.getToken();
    // The third has the second's scopes but another secret: its own cache entry, its own exchange.
    expect(scopes).toEqual(['a', 'a b', 'a b']);
  });

  it('still checks what depends on the instance, and rejects a value made invalid since', () => {
    const options: ClientCredentialsOptions = { tokenUrl: TOKEN_URL, clientId: 'c', clientSecret: 's' };
    installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), options);
    expect(() => installClientCredentials(axios.create(), options)).toThrow(
      new TypeError(
        '"origins" option is required when the instance has no "baseURL": name the origins that may receive the token, or \'*\' for every origin',
      ),
    );
    const tokenClient = axios.create({ baseURL: 'https://api.example.com' });
    const withClient = { ...options, tokenClient };
    installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), withClient);
    expect(() => installClientCredentials(tokenClient, withClient)).toThrow(/"tokenClient" option must not be/);
    (options as unknown as Record<string, unknown>)['clientId'] = 42;
    expect(() => installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), options)).toThrow(
      TypeError,
    );
  });
});
