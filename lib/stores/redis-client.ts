import type { Cluster, Redis } from 'ioredis';

/**
 * The part of a node-redis v4/v5 client (`createClient()` from the `redis` package) the store
 * drives: raw commands through `sendCommand`, and a duplicate connection for pub/sub.
 */
export interface NodeRedisClient {
  /** Sends one command as its words, e.g. `['GET', key]`. */
  sendCommand(args: string[]): Promise<unknown>;
  /** A new client with the same options, not yet connected. */
  duplicate(): NodeRedisClient;
  /** Whether the client is connected and ready for commands. */
  readonly isReady: boolean;
  /** Whether the client has been opened with `connect()`. */
  readonly isOpen: boolean;
  /** Opens the connection (the store calls it on its own duplicate only). */
  connect(): Promise<unknown>;
  /** Subscribes to `channel` (used on the store's duplicate only). */
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  /** Closes at once (v4; deprecated in v5). */
  disconnect(): Promise<unknown>;
  /** Closes at once (v5). */
  destroy?(): void;
  /** Listens for errors (the store silences its duplicate's; they surface as failed commands). */
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/** A client `RedisTokenStore` accepts: ioredis `Redis` or `Cluster`, or a node-redis v4/v5 client. */
export type RedisClient = Redis | Cluster | NodeRedisClient;

/** A connection that only listens. */
export interface Subscriber {
  /** Resolves once Redis confirmed the subscription; `onMessage` is called for each message on `channel`. */
  subscribe(channel: string, onMessage: () => void): Promise<void>;
  close(): void;
}

/** The commands the store needs, the same for every client. */
export interface RedisAdapter {
  /** Whether the client is disconnected (closed or reconnecting): commands would fail or queue. */
  disconnected(): boolean;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
  pttl(key: string): Promise<number>;
  setNxPx(key: string, value: string, px: number): Promise<boolean>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  /** A new connection for pub/sub; the caller closes it. */
  subscriber(): Subscriber;
}

function isIoRedis(client: object): client is Redis | Cluster {
  const c = client as Partial<Record<'get' | 'set' | 'eval' | 'duplicate' | 'status', unknown>>;
  return (
    typeof c.status === 'string' &&
    typeof c.duplicate === 'function' &&
    ['get', 'set', 'eval'].every((m) => typeof (client as Record<string, unknown>)[m] === 'function')
  );
}

function isNodeRedis(client: object): client is NodeRedisClient {
  const c = client as Partial<Record<keyof NodeRedisClient, unknown>>;
  return (
    typeof c.sendCommand === 'function' &&
    typeof c.duplicate === 'function' &&
    typeof c.subscribe === 'function' &&
    typeof c.isReady === 'boolean'
  );
}

/** A rejection handler that swallows the error while `ignore()` says so (the connection was closed on purpose). */
function rethrowUnless(ignore: () => boolean): (error: unknown) => void {
  return (error) => {
    if (!ignore()) throw error;
  };
}

function ioredisAdapter(client: Redis | Cluster): RedisAdapter {
  return {
    disconnected: () => ['close', 'end', 'reconnecting'].includes(client.status),
    get: (key) => client.get(key),
    del: (key) => client.del(key),
    pttl: (key) => client.pttl(key),
    setNxPx: async (key, value, px) => (await client.set(key, value, 'PX', px, 'NX')) === 'OK',
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
    subscriber: () => {
      const sub = client.duplicate();
      sub.on('error', () => {});
      const listeners = new Map<string, () => void>();
      sub.on('message', (channel: string) => listeners.get(channel)?.());
      // Subscribing before the connection is ready races ioredis' ready check (INFO), which Redis
      // refuses on a subscribed connection and ioredis then drops.
      let closed = false;
      const ready = new Promise<void>((resolve) => {
        if (sub.status === 'ready') return resolve();
        sub.once('ready', () => resolve());
        sub.once('end', () => resolve());
      });
      return {
        subscribe: async (channel, onMessage) => {
          listeners.set(channel, onMessage);
          await ready;
          // A subscription cut short by our own close is no Redis failure.
          if (!closed) await sub.subscribe(channel).catch(rethrowUnless(() => closed));
        },
        close: () => {
          closed = true;
          sub.disconnect();
        },
      };
    },
  };
}

function nodeRedisAdapter(client: NodeRedisClient): RedisAdapter {
  const send = (...args: string[]): Promise<unknown> => client.sendCommand(args);
  return {
    disconnected: () => !client.isReady,
    get: async (key) => {
      const value = await send('GET', key);
      if (typeof value === 'string') return value;
      return Buffer.isBuffer(value) ? value.toString('utf8') : null;
    },
    del: async (key) => Number(await send('DEL', key)),
    pttl: async (key) => Number(await send('PTTL', key)),
    setNxPx: async (key, value, px) => (await send('SET', key, value, 'PX', String(px), 'NX')) === 'OK',
    eval: (script, keys, args) => send('EVAL', script, String(keys.length), ...keys, ...args),
    subscriber: () => {
      const sub = client.duplicate();
      sub.on('error', () => {});
      let closed = false;
      const connected = sub.connect();
      connected.catch(() => undefined);
      return {
        subscribe: async (channel, onMessage) => {
          await connected.catch(rethrowUnless(() => closed));
          if (!closed) await sub.subscribe(channel, () => onMessage()).catch(rethrowUnless(() => closed));
        },
        close: () => {
          closed = true;
          if (!sub.isOpen) return;
          if (typeof sub.destroy === 'function') sub.destroy();
          else sub.disconnect().catch(() => undefined);
        },
      };
    },
  };
}

/**
 * One code path for every client: the adapter for an ioredis client or a node-redis client.
 *
 * @throws {TypeError} When the store cannot drive the client.
 */
export function adapt(client: unknown): RedisAdapter {
  if (typeof client === 'object' && client !== null) {
    // node-redis first: a v5 client also has get/set/eval methods, with other signatures.
    if (isNodeRedis(client)) return nodeRedisAdapter(client);
    if (isIoRedis(client)) return ioredisAdapter(client);
  }
  throw new TypeError('"client" must be an ioredis client (Redis or Cluster) or a node-redis v4/v5 client');
}
