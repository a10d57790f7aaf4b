import { systemClock, type Clock } from '../clock';

/**
 * What `RedisTokenStore` was doing when Redis failed it: `lock`, `extend` and `unlock` take, extend
 * and release the lease; `wait` is a waiter's subscription and look at the lease.
 */

export type RedisTokenStoreOperation = 'get' | 'set' | 'delete' | 'lock' | 'extend' | 'unlock' | 'wait';

/**
 * Why `RedisTokenStore` went on without Redis for one call, passed to its `onError` option.
 * Never carries a token, a store key, a value or a command's arguments.
 */
export interface RedisTokenStoreEvent {
  /** Always `'store_error'`: one handler can take these and the installation's `onEvent` events. */
  type: 'store_error';
  /** What the store was doing. */
  operation: RedisTokenStoreOperation;
  /**
   * - `error`: Redis answered with an error, or the client is disconnected (the command was not sent).
   * - `timeout`: no answer within `operationTimeoutMs` (`lockTimeoutMs` for the lock).
   * - `unreadable`: a stored value could not be read (another format version, corrupt, or sealed
   *   with another key) and was treated as absent.
   * - `key_mismatch`: another process on this key prefix seals its tokens with a different
   *   `encryptionKey` (or none). The two groups keep apart (the key's id is part of the Redis key),
   *   so nothing breaks, but they do not share tokens. Said at most once a minute per store.
   */
  reason: 'error' | 'timeout' | 'unreadable' | 'key_mismatch';
  /** The error's `name` and `message` only. */
  error: {
    /** The error's name, e.g. `ReplyError`, `TimeoutError`. */
    name: string;
    /** The error's message, e.g. `Connection is closed.` or `no answer within 300 ms`. */
    message: string;
  };
}

type Finding = 'unreadable' | 'key_mismatch';

/**
 * Runs one Redis command with a time limit (`timeoutMs`, default the store's operation timeout),
 * reporting failures; rejects with a plain, secret-free `Error`. A disconnected client fails at
 * once, without sending the command.
 */
export interface RedisCall {
  <T>(operation: RedisTokenStoreOperation, command: () => Promise<T>, timeoutMs?: number): Promise<T>;
  /** Reports an event that is not a failed command. */
  report(operation: RedisTokenStoreOperation, reason: Finding): void;
}

const MESSAGES: Record<Finding, { name: string; message: string }> = {
  unreadable: { name: 'UnreadableValueError', message: 'stored value could not be read; treated as absent' },
  key_mismatch: {
    name: 'EncryptionKeyMismatchError',
    message:
      'another process on this key prefix uses a different "encryptionKey" (or none); the two do not share tokens',
  },
};

/** The command's error as `{ name, message }`: ioredis errors also carry the command and its arguments, a token among them. */
function describe(error: unknown): { name: string; message: string } {
  if (!(error instanceof Error)) return { name: 'Error', message: 'redis command failed' };
  return { name: String(error.name).slice(0, 100), message: String(error.message).slice(0, 300) };
}

/**
 * @param defaultTimeoutMs How long to wait for an answer, in milliseconds, unless a call says otherwise.
 * @param disconnected Whether the client is disconnected now.
 * @param clock Runs the time limits. Default is {@link systemClock}.
 */
export function createRedisCall(
  defaultTimeoutMs: number,
  onError: ((event: RedisTokenStoreEvent) => void) | undefined,
  disconnected: () => boolean = () => false,
  clock: Clock = systemClock,
): RedisCall {
  const emit = (event: RedisTokenStoreEvent): void => {
    try {
      onError?.(event);
    } catch {
      // A listener that throws must not turn a handled failure into a failed API call.
    }
  };
  const call = <T>(
    operation: RedisTokenStoreOperation,
    command: () => Promise<T>,
    timeoutMs = defaultTimeoutMs,
  ): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (reason: 'error' | 'timeout', error: { name: string; message: string }): void => {
        settled = true;
        emit({ type: 'store_error', operation, reason, error });
        reject(Object.assign(new Error(`redis "${operation}" failed: ${error.message}`), { name: error.name }));
      };
      if (disconnected()) {
        fail('error', { name: 'ConnectionError', message: 'client is disconnected' });
        return;
      }
      const cancel = clock.after(
        timeoutMs,
        () => fail('timeout', { name: 'TimeoutError', message: `no answer within ${timeoutMs} ms` }),
        true,
      );
      let pending: Promise<T>;
      try {
        pending = command();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          if (settled) return;
          settled = true;
          cancel();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          cancel();
          fail('error', describe(error));
        },
      );
    });
  return Object.assign(call, {
    report: (operation: RedisTokenStoreOperation, reason: Finding) =>
      emit({ type: 'store_error', operation, reason, error: { ...MESSAGES[reason] } }),
  });
}
