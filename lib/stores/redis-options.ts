import { isClock, systemClock, type Clock } from '../clock';
import type { RedisTokenStoreEvent } from './redis-call';
import { parseEncryptionKey } from './redis-codec';

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** Put before every key, after the client's own `keyPrefix` if it has one. Default is `''`. */
  keyPrefix?: string;
  /**
   * Seal stored tokens with AES-256-GCM under this key: 32 bytes, as a `Buffer` or a base64
   * string (`openssl rand -base64 32`). Every process sharing the tokens needs the same key. A
   * one-way id of the key is part of the Redis key, so processes with different keys (or none) on
   * one prefix keep apart instead of overwriting each other's tokens, and `onError` says so once
   * (`key_mismatch`). A value that fails to open (tampered) is treated as absent.
   * Default is none: tokens are stored in the clear.
   */
  encryptionKey?: string | Uint8Array;
  /**
   * How long to wait for Redis before going on without it for that call, in milliseconds.
   * Default is 300. The lock's commands have their own, longer bound: `lockTimeoutMs`.
   */
  operationTimeoutMs?: number;
  /**
   * How long to wait for an answer to a lock command (take, extend, release), in milliseconds.
   * A lock answer that comes late is not a failure: giving up on it would make this process
   * exchange on its own while the fleet waits for the holder. Only a Redis error or a
   * disconnected client fails the lock at once. Default is 5000 (5 seconds).
   */
  lockTimeoutMs?: number;
  /**
   * How long this process answers from its own copy of a token read from or written to Redis
   * before reading Redis again, in milliseconds. Within it a request costs no Redis round trip.
   * Default is 1000 (1 second). 0 reads Redis on every request.
   */
  localCacheMs?: number;
  /**
   * Called when Redis failed, answered too late, or held a value that could not be read; the
   * call went on without Redis. Events carry no token, key or secret. Default is none.
   */
  onError?: (event: RedisTokenStoreEvent) => void;
}

const OPTION_NAMES = new Set([
  'keyPrefix',
  'encryptionKey',
  'operationTimeoutMs',
  'lockTimeoutMs',
  'localCacheMs',
  'onError',
  // Internal, for specs: the one clock (lib/clock.ts). Not part of the public options type.
  'clock',
]);

/** The options with their defaults; the encryption key as its 32 bytes. */
interface ResolvedRedisOptions {
  keyPrefix: string;
  encryptionKey: Buffer | undefined;
  operationTimeoutMs: number;
  lockTimeoutMs: number;
  localCacheMs: number;
  onError: ((event: RedisTokenStoreEvent) => void) | undefined;
  /**
   * Monotonic time for the local copy's life and the mismatch reports, and the timers of command
   * time limits, lock waits and the subscriber's linger. Default is the system clock.
   */
  clock: Clock;
}

/**
 * Checks every option and fills in the defaults.
 *
 * @throws {TypeError} When an option is invalid (the message names it, never a value).
 */
export function resolveOptions(options: RedisTokenStoreOptions & { clock?: Clock }): ResolvedRedisOptions {
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw new TypeError(`"${name}" is not a RedisTokenStore option`);
  }
  const {
    keyPrefix = '',
    encryptionKey,
    operationTimeoutMs = 300,
    lockTimeoutMs = 5000,
    localCacheMs = 1000,
    onError,
    clock = systemClock,
  } = options;
  if (typeof keyPrefix !== 'string') throw new TypeError('"keyPrefix" option must be a string');
  if (!(Number.isFinite(operationTimeoutMs) && operationTimeoutMs > 0)) {
    throw new TypeError('"operationTimeoutMs" option must be a positive number of milliseconds');
  }
  if (!(Number.isFinite(lockTimeoutMs) && lockTimeoutMs > 0)) {
    throw new TypeError('"lockTimeoutMs" option must be a positive number of milliseconds');
  }
  if (!(Number.isFinite(localCacheMs) && localCacheMs >= 0)) {
    throw new TypeError('"localCacheMs" option must be a number of milliseconds, at least 0');
  }
  if (onError !== undefined && typeof onError !== 'function')
    throw new TypeError('"onError" option must be a function');
  if (!isClock(clock)) throw new TypeError('"clock" option must be a clock');
  return {
    keyPrefix,
    encryptionKey: encryptionKey === undefined ? undefined : parseEncryptionKey(encryptionKey),
    operationTimeoutMs,
    lockTimeoutMs,
    localCacheMs,
    onError,
    clock,
  };
}
