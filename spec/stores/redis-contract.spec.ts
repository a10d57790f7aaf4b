// The TokenStore contract (spec/stores/contract.ts) for RedisTokenStore against the real Redis at
// REDIS_URL, driven by each client it accepts: ioredis, node-redis v5 (`redis`) and node-redis v4
// (the `redis4` alias of `redis@4`). The Cluster client runs it in spec/stores/redis-cluster.spec.ts.
import Redis from 'ioredis';
import { createClient } from 'redis';
import { createClient as createClientV4 } from 'redis4';
import { KeyedLock } from '../../lib/lock';
import { RedisTokenStore, type RedisClient, type RedisTokenStoreEvent } from '../../lib/stores/redis';
import { TokenManager } from '../../lib/token-manager';
import type { AccessToken } from '../../lib/types';
import { cleanUp, connect, describeWithRedis, REDIS_URL, uniquePrefix } from '../support/redis';
import { describeTokenStoreContract, type StoreHarness } from './contract';

/** A client kind: how to open one connected client, and how to close it. */
interface ClientKind {
  open(): Promise<RedisClient>;
  close(client: RedisClient): Promise<void>;
}

const KINDS: Record<string, ClientKind> = {
  ioredis: {
    open: async () => {
      const client = connect();
      await client.ping();
      return client;
    },
    close: async (client) => void (await (client as Redis).quit()),
  },
  'node-redis v5': {
    open: async () => {
      const client = createClient({ url: REDIS_URL });
      client.on('error', () => {});
      await client.connect();
      return client as unknown as RedisClient;
    },
    close: async (client) => (client as unknown as ReturnType<typeof createClient>).destroy(),
  },
  'node-redis v4': {
    open: async () => {
      const client = createClientV4({ url: REDIS_URL });
      client.on('error', () => {});
      await client.connect();
      return client as unknown as RedisClient;
    },
    close: async (client) => void (await (client as unknown as ReturnType<typeof createClientV4>).disconnect()),
  },
};

/** Waits for the stores' idle subscriber connections to close (they linger 250 ms for the next wait). */
const subscribersClosed = () => new Promise((resolve) => setTimeout(resolve, 300));

/**
 * A harness on two clients of one kind (the store's and its peers', as two processes have), on a
 * prefix of its own, recording every store event.
 */
function redisHarness(clients: () => [RedisClient, RedisClient], admin: () => Redis): StoreHarness {
  const prefix = uniquePrefix('contract');
  const events: RedisTokenStoreEvent[] = [];
  const [own, other] = clients();
  const make = (client: RedisClient) =>
    new RedisTokenStore(client, { keyPrefix: prefix, onError: (event) => events.push(event) });
  return {
    store: make(own),
    peer: () => make(other),
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ttlMs: 1_000,
    errors: () => events,
    close: () => cleanUp(admin(), prefix),
  };
}

describeWithRedis('RedisTokenStore with each client', () => {
  let admin: Redis;
  beforeAll(() => {
    admin = connect();
  });
  afterAll(async () => {
    await admin.quit();
  });

  for (const [kind, { open, close }] of Object.entries(KINDS)) {
    describe(kind, () => {
      let clients: [RedisClient, RedisClient];
      beforeAll(async () => {
        clients = [await open(), await open()];
      });
      afterAll(async () => {
        await subscribersClosed();
        await Promise.all(clients.map(close));
      });

      describeTokenStoreContract(
        `RedisTokenStore (${kind})`,
        () =>
          redisHarness(
            () => clients,
            () => admin,
          ),
        {
          shared: true,
        },
      );

      it('makes one exchange for two stores on one prefix and 100 cold calls', async () => {
        const prefix = uniquePrefix('exchanges');
        let exchanges = 0;
        const exchange = async (): Promise<AccessToken> => {
          exchanges += 1;
          await new Promise((resolve) => setTimeout(resolve, 100));
          return {
            accessToken: `x${exchanges}`,
            tokenType: 'Bearer',
            issuedAt: Date.now(),
            expiresAt: Date.now() + 60_000,
          };
        };
        const events: RedisTokenStoreEvent[] = [];
        const manager = (client: RedisClient) =>
          new TokenManager({
            key: 'cold',
            store: new RedisTokenStore(client, { keyPrefix: prefix, onError: (event) => events.push(event) }),
            lock: new KeyedLock(),
            exchange,
            refreshBeforeExpiryMs: 0,
          });
        const [a, b] = [manager(clients[0]), manager(clients[1])];
        const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).acquire()));
        await subscribersClosed();
        await cleanUp(admin, prefix);
        expect({ exchanges, distinct: new Set(tokens.map((t) => t.accessToken)).size, events }).toEqual({
          exchanges: 1,
          distinct: 1,
          events: [],
        });
      });
    });
  }
});
