// RedisTokenStore on an ioredis Cluster client against a real three-master cluster started here:
// a key, its lock and its wake channel live in one slot (the `{key}` hash tag), so the Lua scripts
// and the pub/sub wake-ups work across nodes.
import { Cluster } from 'ioredis';
import { KeyedLock } from '../../lib/lock';
import { RedisTokenStore, type RedisTokenStoreEvent } from '../../lib/stores/redis';
import { TokenManager } from '../../lib/token-manager';
import type { AccessToken } from '../../lib/types';
import { uniquePrefix } from '../support/redis';
import { describeWithRedisCluster, startCluster, type LocalCluster } from '../support/redis-cluster';
import { describeTokenStoreContract } from './contract';

jest.setTimeout(60_000);

const token = (accessToken: string): AccessToken =>
  Object.freeze({ accessToken, tokenType: 'Bearer', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 });

describeWithRedisCluster('RedisTokenStore on a Redis Cluster', () => {
  let cluster: LocalCluster;
  const clients: Cluster[] = [];
  const events: RedisTokenStoreEvent[] = [];
  const prefix = uniquePrefix('cluster');
  const connect = () => {
    const client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  const make = (client: Cluster) => new RedisTokenStore(client, { keyPrefix: prefix, onError: (e) => events.push(e) });

  beforeAll(async () => {
    cluster = await startCluster();
  });

  /** A client that has its slot map: the store's 300 ms read timeout is not for a client still connecting. */
  const ready = async () => {
    const client = connect();
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));
    return client;
  };

  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 300)); // the stores' subscribers close when idle
    for (const client of clients) client.disconnect();
    await cluster?.stop();
  });

  describe('with two clients', () => {
    let pair: [Cluster, Cluster];
    beforeAll(async () => {
      pair = [await ready(), await ready()];
    });
    describeTokenStoreContract(
      'RedisTokenStore (ioredis Cluster)',
      () => {
        const keyPrefix = uniquePrefix('cluster-contract');
        const errors: RedisTokenStoreEvent[] = [];
        const store = (client: Cluster) =>
          new RedisTokenStore(client, { keyPrefix, onError: (event) => errors.push(event) });
        return {
          store: store(pair[0]),
          peer: () => store(pair[1]),
          elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          ttlMs: 1_000,
          errors: () => errors,
        };
      },
      { shared: true },
    );
  });

  it('shares tokens, locks and wakes across nodes for several keys, with no Redis error', async () => {
    const [a, b] = [make(await ready()), make(await ready())];
    // Keys that hash to different slots (and so, most likely, to different masters).
    for (const key of ['key-a', 'key-b', 'key-c', 'key-d']) {
      await a.set(key, token(`t-${key}`), 60_000);
      expect(await b.get(key)).toMatchObject({ accessToken: `t-${key}` });
      const lease = (await a.lock(key, 5_000))!;
      expect(lease).toBeDefined();
      expect(await b.lock(key, 5_000)).toBeUndefined();
      expect(await lease.extend(5_000)).toBe(true);
      const woken = b.waitForUnlock(key, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await lease.release();
      await woken;
      expect(await b.delete(key, `t-${key}`)).toBe(true);
    }
    expect(events).toEqual([]);
  });

  it('makes one exchange for two stores on one prefix and 100 cold calls', async () => {
    let exchanges = 0;
    const exchange = async () => {
      exchanges += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return token(`c${exchanges}`);
    };
    const manager = (store: RedisTokenStore) =>
      new TokenManager({
        key: 'cold',
        store,
        lock: new KeyedLock(),
        exchange,
        refreshBeforeExpiryMs: 0,
      });
    const [a, b] = [manager(make(await ready())), manager(make(await ready()))];
    const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).acquire()));
    expect({ exchanges, distinct: new Set(tokens.map((t) => t.accessToken)).size }).toEqual({
      exchanges: 1,
      distinct: 1,
    });
    expect(events).toEqual([]);
  });
});
