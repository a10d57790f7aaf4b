import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Cluster, Redis } from 'ioredis';
import type { AccessToken, TokenStore } from '../types';
import { createRedisCall, type RedisCall } from './redis-call';
import { createCodec, type TokenCodec } from './redis-codec';
import { resolveOptions, type RedisTokenStoreOptions } from './redis-options';

export type { RedisTokenStoreEvent, RedisTokenStoreOperation } from './redis-call';
export type { RedisTokenStoreOptions } from './redis-options';

/** This process's copy of a token. */
interface LocalEntry {
  token: AccessToken;
  /** Epoch milliseconds after which `get` reads Redis again. */
  refreshAt: number;
  /** A token the caller found not fresh enough (it asked for the lock): never served from here again. */
  suspect: string | undefined;
}

/** Deletes the value only while it still holds the rejected token (its version and fingerprint prefix). */
const COMPARE_AND_DELETE = `local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Releases a lock only while this holder owns it: after an expiry, another process may hold it. */
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * A {@link TokenStore} in Redis, shared by every process that uses the same Redis and key prefix,
 * with a cross-process lock so the whole fleet makes one token exchange at a time. From
 * `axios-client-credentials/redis`; `ioredis` 5 is an optional peer dependency of this package.
 *
 * - **Lock.** `SET <key>:lock <random owner> NX PX <ttl>`, released by a compare-and-delete script,
 *   the single-instance pattern of https://redis.io/docs/latest/develop/use/patterns/distributed-locks/.
 *   Redlock is not needed: the lock only saves token exchanges, it never guards correctness, so
 *   the rare double holder (a failover, an expiry during a long pause) costs one extra exchange.
 * - **Local copy.** A token read or written is answered synchronously from memory for
 *   `localCacheMs`, so a warm request makes no Redis round trip.
 * - **Revocation.** `delete(key, rejectedToken)` deletes in Redis only while the value still
 *   holds that token (a Lua script), so a 401 never evicts a token another process just fetched.
 * - **Fail open.** A Redis error or an answer slower than `operationTimeoutMs` never fails the
 *   call: reads fall back to the local copy, writes to the local copy alone, and the lock to an
 *   exchange of this process's own; `onError` says why.
 *
 * The store never closes the client: it is yours.
 *
 * @param client An ioredis `Redis` or `Cluster` client. Every key holds one value.
 * @throws {TypeError} When the client or an option is invalid (the message names it).
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisTokenStore } from 'axios-client-credentials/redis';
 *
 * const store = new RedisTokenStore(new Redis(process.env.REDIS_URL!), {
 *   keyPrefix: 'billing:',
 *   encryptionKey: process.env.TOKEN_CACHE_KEY, // 32 bytes, base64
 * });
 * installClientCredentials(api, { tokenUrl, clientId, clientSecret, store });
 * ```
 */
export class RedisTokenStore implements TokenStore {
  readonly #client: Redis | Cluster;
  readonly #prefix: string;
  readonly #codec: TokenCodec;
  readonly #localCacheMs: number;
  readonly #call: RedisCall;
  readonly #local = new Map<string, LocalEntry>();
  /** Bumped by every write, delete and lock, so a read that started before one cannot undo it. */
  readonly #generations = new Map<string, number>();
  readonly #reads = new Map<string, { generation: number; promise: Promise<AccessToken | undefined> }>();

  constructor(client: Redis | Cluster, options: RedisTokenStoreOptions = {}) {
    const { keyPrefix, encryptionKey, operationTimeoutMs, localCacheMs, onError } = resolveOptions(client, options);
    this.#client = client;
    this.#prefix = keyPrefix;
    this.#codec = createCodec(encryptionKey);
    this.#localCacheMs = localCacheMs;
    this.#call = createRedisCall(operationTimeoutMs, onError);
  }

  /** Answers synchronously from the local copy while it is fresh, else reads Redis (one read per key at a time). */
  get(key: string): AccessToken | undefined | Promise<AccessToken | undefined> {
    const entry = this.#local.get(key);
    if (entry !== undefined && Date.now() < entry.refreshAt) return entry.token;
    const generation = this.#generation(key);
    const pending = this.#reads.get(key);
    if (pending?.generation === generation) return pending.promise;
    const promise = this.#read(key, generation).finally(() => {
      if (this.#reads.get(key)?.promise === promise) this.#reads.delete(key);
    });
    this.#reads.set(key, { generation, promise });
    return promise;
  }

  /** Keeps `token` locally and in Redis for `ttlMs` milliseconds (its time left). Never rejects. */
  async set(key: string, token: AccessToken, ttlMs: number): Promise<void> {
    this.#bump(key);
    this.#local.set(key, { token, refreshAt: Date.now() + this.#localCacheMs, suspect: undefined });
    const px = Math.ceil(ttlMs);
    if (!(px > 0)) return;
    const redisKey = this.#prefix + key;
    const value = this.#codec.encode(redisKey, token);
    await this.#call('set', () => this.#client.set(redisKey, value, 'PX', px)).catch(() => undefined);
  }

  /**
   * Deletes the entry, or with `accessToken` only while it still holds that token (in Redis by a
   * Lua script). Answers whether Redis deleted it; when Redis fails, whether the local copy was.
   */
  async delete(key: string, accessToken?: string): Promise<boolean> {
    this.#bump(key);
    const entry = this.#local.get(key);
    const deletedLocally =
      entry !== undefined && (accessToken === undefined || entry.token.accessToken === accessToken);
    if (deletedLocally) this.#local.delete(key);
    const redisKey = this.#prefix + key;
    try {
      const deleted = await this.#call('delete', () =>
        accessToken === undefined
          ? this.#client.del(redisKey)
          : this.#client.eval(COMPARE_AND_DELETE, 1, redisKey, this.#codec.prefixFor(accessToken)),
      );
      return Number(deleted) > 0;
    } catch {
      return deletedLocally;
    }
  }

  /**
   * Takes the fleet-wide lock on `key` for `ttlMs` milliseconds (see {@link TokenStore.lock}).
   * Rejects when Redis fails or answers too late; the lock then frees itself if it was granted late.
   */
  async lock(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    this.#bump(key);
    const entry = this.#local.get(key);
    if (entry !== undefined) {
      entry.refreshAt = 0;
      entry.suspect = entry.token.accessToken;
    }
    const lockKey = `${this.#prefix}${key}:lock`;
    const owner = randomBytes(16).toString('base64url');
    const release = (): Promise<void> =>
      this.#call('unlock', () => this.#client.eval(RELEASE_LOCK, 1, lockKey, owner)).then(
        () => undefined,
        () => undefined, // It expires by itself.
      );
    const command = Promise.resolve().then(() =>
      this.#client.set(lockKey, owner, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'),
    );
    let answer: string | null;
    try {
      answer = await this.#call('lock', () => command);
    } catch (error) {
      // Granted after we stopped waiting: free it, so the fleet need not wait for its expiry.
      command.then((late) => (late === 'OK' ? release() : undefined)).catch(() => undefined);
      throw error;
    }
    if (answer !== 'OK') return undefined;
    let released: Promise<void> | undefined;
    return () => (released ??= release());
  }

  async #read(key: string, generation: number): Promise<AccessToken | undefined> {
    const redisKey = this.#prefix + key;
    let value: string | null;
    try {
      value = await this.#call('get', () => this.#client.get(redisKey));
    } catch {
      // Fail open: answer from the local copy, and spare Redis until the next refresh.
      const entry = this.#local.get(key);
      if (entry?.suspect === undefined && entry !== undefined && this.#generation(key) === generation) {
        entry.refreshAt = Date.now() + this.#localCacheMs;
      }
      return entry?.token;
    }
    let token = value === null ? undefined : this.#codec.decode(redisKey, value);
    if (value !== null && token === undefined) this.#call.report('get', 'unreadable');
    if (this.#generation(key) !== generation) return token;
    const entry = this.#local.get(key);
    if (token === undefined) {
      this.#local.delete(key);
    } else if (entry !== undefined && entry.token.accessToken === token.accessToken) {
      // Same token: keep the object, so the Authorization header built for it is reused.
      token = entry.token;
      if (entry.suspect === undefined) entry.refreshAt = Date.now() + this.#localCacheMs;
    } else {
      this.#local.set(key, { token, refreshAt: Date.now() + this.#localCacheMs, suspect: undefined });
    }
    return token;
  }

  #generation(key: string): number {
    return this.#generations.get(key) ?? 0;
  }

  #bump(key: string): void {
    this.#generations.set(key, this.#generation(key) + 1);
  }

  /** What `JSON.stringify` shows: the settings that are not secret. */
  toJSON(): {
    /** The `keyPrefix` option. */
    keyPrefix: string;
    /** Whether values are sealed with an `encryptionKey`. */
    encrypted: boolean;
  } {
    return { keyPrefix: this.#prefix, encrypted: this.#codec.sealed };
  }

  /** What `util.inspect` and `console.log` show: the settings that are not secret. */
  [inspect.custom](): string {
    return `RedisTokenStore ${inspect(this.toJSON())}`;
  }
}
