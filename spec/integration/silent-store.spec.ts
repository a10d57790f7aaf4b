import axios from 'axios';
import {
  installClientCredentials,
  MemoryTokenStore,
  type AccessToken,
  type ClientCredentialsEvent,
  type TokenStore,
} from '../../lib';
import { startApiServer, startTokenServer, type LoopbackServer } from '../support/loopback';

type Operation = 'get' | 'set' | 'delete' | 'lock';

/** A memory store (with a lock) whose `silent` method never settles: a store that stopped answering. */
function silentStore(silent: Operation): TokenStore & { calls: Record<Operation, number> } {
  const memory = new MemoryTokenStore();
  const calls: Record<Operation, number> = { get: 0, set: 0, delete: 0, lock: 0 };
  const never = new Promise<never>(() => {});
  return {
    calls,
    get(key: string) {
      calls.get += 1;
      return silent === 'get' ? never : Promise.resolve(memory.get(key));
    },
    set(key: string, token: AccessToken, ttlMs: number) {
      calls.set += 1;
      return silent === 'set' ? never : Promise.resolve(memory.set(key, token, ttlMs));
    },
    delete(key: string, accessToken?: string) {
      calls.delete += 1;
      return silent === 'delete' ? never : Promise.resolve(memory.delete(key, accessToken));
    },
    lock() {
      calls.lock += 1;
      return silent === 'lock' ? never : Promise.resolve({ extend: async () => true, release: async () => {} });
    },
  };
}

describe('installClientCredentials() with a store that never answers', () => {
  let tokens: Awaited<ReturnType<typeof startTokenServer>>;
  let api: LoopbackServer;
  let rejected: Set<string>;

  beforeAll(async () => {
    tokens = await startTokenServer();
    rejected = new Set();
    api = await startApiServer((token) => tokens.issued.includes(token) && !rejected.has(token));
  });
  afterAll(async () => {
    await tokens.close();
    await api.close();
  });

  function setup(silent: Operation) {
    const events: ClientCredentialsEvent[] = [];
    const store = silentStore(silent);
    const instance = axios.create({ baseURL: api.origin });
    const handle = installClientCredentials(instance, {
      tokenUrl: tokens.tokenUrl,
      clientId: `silent-${silent}`,
      clientSecret: 'silent-secret',
      store,
      storeTimeoutMs: 20,
      onEvent: (event) => events.push(event),
    });
    const timeouts = () =>
      events.filter((e) => e.type === 'store_error' && e.operation === silent && e.error.code === 'STORE_TIMEOUT')
        .length;
    return { instance, handle, store, timeouts };
  }

  describe.each<Operation>(['get', 'set', 'delete', 'lock'])('whose "%s" never settles', (silent) => {
    it('answers API calls with the token their exchange earned', async () => {
      const { instance, timeouts } = setup(silent);
      const first = await instance.get<{ token: string }>('/a');
      const second = await instance.get<{ token: string }>('/b');
      expect(first.status).toBe(200);
      expect(tokens.issued).toContain(first.data.token);
      expect(second.status).toBe(200);
      expect(tokens.issued).toContain(second.data.token);
      expect(api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${second.data.token}`);
      // delete is not called on this path; every other silent call was reported as a timeout.
      if (silent !== 'delete') expect(timeouts()).toBeGreaterThanOrEqual(1);
    });

    it('resolves invalidate()', async () => {
      const { instance, handle, store, timeouts } = setup(silent);
      await instance.get('/a');
      await expect(handle.invalidate()).resolves.toBeUndefined();
      expect(store.calls.delete).toBe(1);
      if (silent === 'delete') expect(timeouts()).toBe(1);
    });

    it('replays a 401 once with a renewed token', async () => {
      const { instance, timeouts } = setup(silent);
      const first = await instance.get<{ token: string }>('/a');
      rejected.add(first.data.token);
      const replayed = await instance.get<{ token: string }>('/b');
      expect(replayed.status).toBe(200);
      expect(replayed.data.token).not.toBe(first.data.token);
      expect(tokens.issued).toContain(replayed.data.token);
      expect(timeouts()).toBeGreaterThanOrEqual(1);
    });
  });
});
