import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Clock } from '../clock';
import type { AccessToken, StoreLease, TokenStore } from '../types';
import { createRedisCall, type RedisCall } from './redis-call';
import { adapt, type RedisAdapter, type RedisClient } from './redis-client';
import { createCodec, type TokenCodec } from './redis-codec';
import { resolveOptions, type RedisTokenStoreOptions } from './redis-options';
import { WAKE_CHANNEL_SUFFIX, Wakeups } from './redis-wakeups';

export type { RedisTokenStoreEvent, RedisTokenStoreOperation } from './redis-call';
export type { NodeRedisClient, RedisClient } from './redis-client';
export type { RedisTokenStoreOptions } from './redis-options';

/** This process's copy of a token. */
interface LocalEntry {
  token: AccessToken;
  /** Monotonic milliseconds after which `get` reads Redis again: a wall-clock step neither stretches nor cuts it. */
  rereadAt: number;
  /** A token the caller found not fresh enough (it asked for the lock): never served from here again. */
  suspect: string | undefined;
}

/** Deletes the value only while it still holds the rejected token (its version and fingerprint prefix). */
const COMPARE_AND_DELETE = `local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Writes the value, wakes this group's waiters, and records which encryption key wrote last
 * (KEYS[2]), answering the one before: a different one means another group shares the prefix.
 */
const WRITE = `redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local previous = redis.call('GET', KEYS[2])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
redis.call('PUBLISH', ARGV[5], 'set')
return previous`;

/** Extends the lease only while this holder owns it: after a lapse, another process may hold it. */
const EXTEND_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Releases the lock only while this holder owns it, and wakes the waiters. */
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
return 0`;

/**
 * The Redis Cluster hash tag for `key` (what goes between the braces): the key itself, except that
 * a key that is empty or starts with `}` (an empty tag, so each name of the key would hash on its
 * own and the scripts fail with CROSSSLOT) or with the escape `~` gets a leading `~`. Injective,
 * and every key the token manager makes (`axios-client-credentials:…`) is its own tag.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
function hashTag(key: string): string {
  return key === '' || key.startsWith('}') || key.startsWith('~') ? `~${key}` : key;
}

/** How long the writer record lives at least, in milliseconds: long enough to meet the other group's next write. */
const WRITER_RECORD_MS = 3_600_000;

/** The shortest time between two `key_mismatch` events of one store, in milliseconds. */
const MISMATCH_REPORT_INTERVAL_MS = 60_000;

/**
 * A {@link TokenStore} in Redis, shared by every process that uses the same Redis and key prefix,
 * with a cross-process lock so the whole fleet makes one token exchange at a time. From
 * `axios-client-credentials/redis`; `ioredis` 5 and `redis` (node-redis) 4/5 are optional peer
 * dependencies of this package.
 *
 * - **Keys.** `<keyPrefix>{<key>}:<key id>` holds the token (a key that is empty or starts with
 *   `}` or `~` is written `{~<key>}`, so the braces still make a hash tag), `…:lock` the lock, `…:wake` is the
 *   channel that wakes waiters; the braces keep them in one Redis Cluster slot. The key id names
 *   the `encryptionKey` (`p` in the clear), so processes with different keys never fight over one
 *   value; `<keyPrefix>{<key>}:writer` records which key wrote last, so they are told (`key_mismatch`).
 * - **Leased lock.** `SET …:lock <random owner> NX PX <lease>`, extended by its holder while its
 *   exchange runs and released by compare-and-delete (Lua scripts on the owner value), the
 *   single-instance pattern of https://redis.io/docs/latest/develop/use/patterns/distributed-locks/.
 *   Redlock is not needed: the lock only saves token exchanges, it never guards correctness, so
 *   the rare double holder (a failover, a lapse during a long pause) costs one extra exchange.
 * - **Woken waiters.** A waiter subscribes to the lock's channel (on a `duplicate()` of the client,
 *   opened while someone waits) and is woken when the holder writes or releases, or when its lease
 *   would lapse; it never polls fast.
 * - **Local copy.** A token read or written is answered synchronously from memory for
 *   `localCacheMs`, so a warm request makes no Redis round trip.
 * - **Revocation.** `delete(key, rejectedToken)` deletes in Redis only while the value still
 *   holds that token (a Lua script), so a 401 never evicts a token another process just fetched.
 * - **Fail open.** A Redis error, a disconnected client, or a read slower than
 *   `operationTimeoutMs` never fails the call: reads fall back to the local copy, writes to the
 *   local copy alone, and the lock to an exchange of this process's own; `onError` says why. A
 *   slow lock answer is waited for up to `lockTimeoutMs`: slow is not down.
 *
 * The store never closes the client: it is yours.
 *
 * @param client An ioredis `Redis` or `Cluster` client, or a node-redis v4/v5 client (connected).
 * @throws {TypeError} When the store cannot drive the client, or an option is invalid (the message names it).
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
  readonly #redis: RedisAdapter;
  readonly #prefix: string;
  readonly #codec: TokenCodec;
  readonly #localCacheMs: number;
  readonly #clock: Clock;
  readonly #lockTimeoutMs: number;
  readonly #call: RedisCall;
  readonly #wakeups: Wakeups;
  readonly #local = new Map<string, LocalEntry>();
  /** Bumped by every write, delete and lock, so a read that started before one cannot undo it. */
  readonly #generations = new Map<string, number>();
  readonly #reads = new Map<string, { generation: number; promise: Promise<AccessToken | undefined> }>();
  #mismatchReportedAt = -Infinity;
  /**
   * Keys whose caller asked for the lock and has no token yet: their reads are part of the lock's
   * slow path, so they wait `lockTimeoutMs` for an answer (a late answer beats an extra exchange).
   */
  readonly #lockPath = new Set<string>();
  /** Keys whose lock this store holds: their path ends with the holder's write or release, not a read. */
  readonly #held = new Set<string>();

  constructor(client: RedisClient, options: RedisTokenStoreOptions = {}) {
    this.#redis = adapt(client);
    const { keyPrefix, encryptionKey, operationTimeoutMs, lockTimeoutMs, localCacheMs, onError, clock } =
      resolveOptions(options);
    this.#clock = clock;
    this.#prefix = keyPrefix;
    this.#codec = createCodec(encryptionKey);
    this.#localCacheMs = localCacheMs;
    this.#lockTimeoutMs = lockTimeoutMs;
    this.#call = createRedisCall(operationTimeoutMs, onError, () => this.#redis.disconnected(), clock);
    this.#wakeups = new Wakeups(this.#redis, this.#call, lockTimeoutMs, clock);
  }

  /** The Redis names of `key`: its value, its lock (and the lock's wake channel), the writer record. */
  #names(key: string): { value: string; lock: string; writer: string } {
    const slot = `${this.#prefix}{${hashTag(key)}}`;
    const value = `${slot}:${this.#codec.keyId}`;
    return { value, lock: `${value}:lock`, writer: `${slot}:writer` };
  }

  /** Answers synchronously from the local copy while it is fresh, else reads Redis (one read per key at a time). */
  get(key: string): AccessToken | undefined | Promise<AccessToken | undefined> {
    const entry = this.#local.get(key);
    if (entry !== undefined && this.#clock.monotonic() < entry.rereadAt) return entry.token;
    const generation = this.#generation(key);
    const pending = this.#reads.get(key);
    if (pending?.generation === generation) return pending.promise;
    const promise = this.#read(key, generation).finally(() => {
      if (this.#reads.get(key)?.promise === promise) this.#reads.delete(key);
    });
    this.#reads.set(key, { generation, promise });
    return promise;
  }

  /** Keeps `token` locally and in Redis for `ttlMs` milliseconds (its time left), and wakes waiters. Never rejects. */
  async set(key: string, token: AccessToken, ttlMs: number): Promise<void> {
    this.#bump(key);
    const timeoutMs = this.#lockPath.delete(key) ? this.#lockTimeoutMs : undefined;
    this.#local.set(key, { token, rereadAt: this.#clock.monotonic() + this.#localCacheMs, suspect: undefined });
    const px = Math.ceil(ttlMs);
    if (!(px > 0)) return;
    const names = this.#names(key);
    const value = this.#codec.encode(names.value, token);
    const args = [value, String(px), this.#codec.keyId, String(Math.max(px, WRITER_RECORD_MS))];
    const channel = names.lock + WAKE_CHANNEL_SUFFIX;
    try {
      const previous = await this.#call(
        'set',
        () => this.#redis.eval(WRITE, [names.value, names.writer], [...args, channel]),
        timeoutMs,
      );
      if (typeof previous === 'string' && previous !== this.#codec.keyId) this.#keyMismatch();
    } catch {
      // Reported; the local copy serves this process.
    }
  }

  #keyMismatch(): void {
    const now = this.#clock.monotonic();
    if (now - this.#mismatchReportedAt < MISMATCH_REPORT_INTERVAL_MS) return;
    this.#mismatchReportedAt = now;
    this.#call.report('set', 'key_mismatch');
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
    const { value } = this.#names(key);
    try {
      const deleted = await this.#call('delete', () =>
        accessToken === undefined
          ? this.#redis.del(value)
          : this.#redis.eval(COMPARE_AND_DELETE, [value], [this.#codec.prefixFor(accessToken)]),
      );
      return Number(deleted) > 0;
    } catch {
      return deletedLocally;
    }
  }

  /**
   * Takes the fleet-wide lock on `key` as a lease of `leaseMs` milliseconds (see
   * {@link TokenStore.lock}). Rejects when Redis fails, the client is disconnected, or no answer
   * comes within `lockTimeoutMs`; the lock then frees itself if it was granted late.
   */
  async lock(key: string, leaseMs: number): Promise<StoreLease | undefined> {
    this.#bump(key);
    this.#lockPath.add(key);
    const entry = this.#local.get(key);
    if (entry !== undefined) {
      entry.rereadAt = -Infinity;
      entry.suspect = entry.token.accessToken;
    }
    const { lock } = this.#names(key);
    const owner = randomBytes(16).toString('base64url');
    const release = (): Promise<void> =>
      this.#call(
        'unlock',
        () => this.#redis.eval(RELEASE_LOCK, [lock], [owner, lock + WAKE_CHANNEL_SUFFIX]),
        this.#lockTimeoutMs,
      ).then(
        () => undefined,
        () => undefined, // The lease lapses by itself.
      );
    const command = Promise.resolve().then(() => this.#redis.setNxPx(lock, owner, Math.max(1, Math.ceil(leaseMs))));
    let granted: boolean;
    try {
      granted = await this.#call('lock', () => command, this.#lockTimeoutMs);
    } catch (error) {
      // Granted after we stopped waiting: free it, so the fleet need not wait for its lapse.
      command.then((late) => (late ? release() : undefined)).catch(() => undefined);
      throw error;
    }
    if (!granted) return undefined;
    this.#held.add(key);
    let released: Promise<void> | undefined;
    return {
      extend: async (ms) => {
        const px = String(Math.max(1, Math.ceil(ms)));
        const extended = await this.#call(
          'extend',
          () => this.#redis.eval(EXTEND_LOCK, [lock], [owner, px]),
          this.#lockTimeoutMs,
        );
        return Number(extended) === 1;
      },
      release: () => {
        if (released === undefined) {
          this.#held.delete(key);
          this.#lockPath.delete(key);
          released = release();
        }
        return released;
      },
    };
  }

  /**
   * Resolves when the holder of `key`'s lock writes a token or releases the lock, when its lease
   * lapses, or after `timeoutMs` milliseconds (see {@link TokenStore.waitForUnlock}). Never rejects.
   */
  waitForUnlock(key: string, timeoutMs: number): Promise<void> {
    return this.#wakeups.wait(this.#names(key).lock, timeoutMs);
  }

  async #read(key: string, generation: number): Promise<AccessToken | undefined> {
    const redisKey = this.#names(key).value;
    let value: string | null;
    try {
      const timeoutMs = this.#lockPath.has(key) ? this.#lockTimeoutMs : undefined;
      value = await this.#call('get', () => this.#redis.get(redisKey), timeoutMs);
    } catch {
      // Fail open: answer from the local copy, and spare Redis until the next refresh.
      const entry = this.#local.get(key);
      if (entry?.suspect === undefined && entry !== undefined && this.#generation(key) === generation) {
        entry.rereadAt = this.#clock.monotonic() + this.#localCacheMs;
      }
      return entry?.token;
    }
    let token = value === null ? undefined : this.#codec.decode(redisKey, value);
    if (value !== null && token === undefined) this.#call.report('get', 'unreadable');
    // A read from before a write, delete or lock call must not undo it: a late one that found a
    // token would end the slow path the lock call began, and the holder's next read and write
    // would get the short bound a busy Redis misses.
    if (this.#generation(key) !== generation) return token;
    if (token !== undefined && !this.#held.has(key)) this.#lockPath.delete(key);
    const entry = this.#local.get(key);
    if (token === undefined) {
      this.#local.delete(key);
    } else if (entry !== undefined && entry.token.accessToken === token.accessToken) {
      // Same token: keep the object, so the Authorization header built for it is reused.
      token = entry.token;
      if (entry.suspect === undefined) entry.rereadAt = this.#clock.monotonic() + this.#localCacheMs;
    } else {
      this.#local.set(key, { token, rereadAt: this.#clock.monotonic() + this.#localCacheMs, suspect: undefined });
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
