import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { installClientCredentials, MemoryTokenStore, type AccessToken, type ClientCredentialsHandle } from '../lib';

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
