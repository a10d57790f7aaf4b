import axios from 'axios';
import {
  installClientCredentials,
  MemoryTokenStore,
  type AccessToken,
  type ClientCredentialsEvent,
  type ClientCredentialsOptions,
  type TokenStore,
} from '../../lib';
import type { Clock } from '../../lib/clock';
import { acceleratedClock, ManualClock } from '../support/clock';
import { startApiServer, startTokenServer, type LoopbackServer } from '../support/loopback';

type Operation = 'get' | 'set' | 'delete' | 'lock';

/** A store's bounds pass 100 times faster: the 10-second lock bound takes 100 ms here. */
const SPEED = 100;

interface SilentStore extends TokenStore {
  calls: Record<Operation, number>;
  /** Resolves once the silent method has been called `count` times. */
  silentCalls(count: number): Promise<void>;
}

/** A memory store (with a lock) whose `silent` method never settles: a store that stopped answering. */
function silentStore(silent: Operation): SilentStore {
  const memory = new MemoryTokenStore();
  const calls: Record<Operation, number> = { get: 0, set: 0, delete: 0, lock: 0 };
  const awaited: Array<{ count: number; arrived: () => void }> = [];
  const never = new Promise<never>(() => {});
  const call = <T>(operation: Operation, answer: () => T): Promise<T> => {
    calls[operation] += 1;
    if (operation !== silent) return Promise.resolve(answer());
    for (const waiter of awaited.filter((w) => w.count <= calls[silent])) waiter.arrived();
    return never;
  };
  return {
    calls,
    silentCalls: (count) =>
      count <= calls[silent] ? Promise.resolve() : new Promise((arrived) => void awaited.push({ count, arrived })),
    get: (key: string) => call('get', () => memory.get(key)),
    set: (key: string, token: AccessToken, ttlMs: number) => call('set', () => memory.set(key, token, ttlMs)),
    delete: (key: string, accessToken?: string) => call('delete', () => memory.delete(key, accessToken)),
    lock: () => call('lock', () => ({ extend: async () => true, release: async () => {} })),
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

  /** Installs on `clock` with the default store bounds, unless `options` say otherwise. */
  function setup(
    silent: Operation,
    clock: Clock = acceleratedClock(SPEED),
    options: Partial<ClientCredentialsOptions> = {},
  ) {
    const events: ClientCredentialsEvent[] = [];
    const store = silentStore(silent);
    const instance = axios.create({ baseURL: api.origin });
    const handle = installClientCredentials(instance, {
      tokenUrl: tokens.tokenUrl,
      clientId: `silent-${silent}`,
      clientSecret: 'silent-secret',
      store,
      onEvent: (event) => events.push(event),
      ...options,
      // Internal: the one clock, which runs the store bounds.
      ...({ clock } as Partial<ClientCredentialsOptions>),
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

  // The default bounds themselves, on a clock that moves only when told: no wait is real.
  describe('on a clock that moves only when told', () => {
    it('gives a silent lock call 10 s before it fails open, even with a 20 ms storeTimeoutMs', async () => {
      const clock = new ManualClock(Date.now());
      const { instance, store, timeouts } = setup('lock', clock, { storeTimeoutMs: 20 });
      const answered = instance.get<{ token: string }>('/a');
      await store.silentCalls(1);
      clock.advance(9_999);
      expect(timeouts()).toBe(0);
      clock.advance(1);
      expect(timeouts()).toBe(1);
      const response = await answered;
      expect(response.status).toBe(200);
      expect(tokens.issued).toContain(response.data.token);
    });

    it('gives a silent read 500 ms by default, and four times that on the way to an exchange', async () => {
      const clock = new ManualClock(Date.now());
      const { instance, store, timeouts } = setup('get', clock);
      const answered = instance.get<{ token: string }>('/a');
      await store.silentCalls(1);
      clock.advance(499);
      expect(timeouts()).toBe(0);
      clock.advance(1);
      expect(timeouts()).toBe(1);
      // Then the read before the lock, and the lock holder's read before it exchanges.
      for (const call of [2, 3]) {
        await store.silentCalls(call);
        clock.advance(1_999);
        expect(timeouts()).toBe(call - 1);
        clock.advance(1);
        expect(timeouts()).toBe(call);
      }
      const response = await answered;
      expect(response.status).toBe(200);
      expect(tokens.issued).toContain(response.data.token);
    });
  });
});
