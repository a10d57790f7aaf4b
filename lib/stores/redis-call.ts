/** What `RedisTokenStore` was doing when Redis failed it. `unlock` is the release of the lock. */
export type RedisTokenStoreOperation = 'get' | 'set' | 'delete' | 'lock' | 'unlock';

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
   * - `error`: Redis answered with an error, or the client refused the command (not connected).
   * - `timeout`: no answer within `operationTimeoutMs`.
   * - `unreadable`: a stored value could not be read (another format version, corrupt, or sealed
   *   with another key) and was treated as absent.
   */
  reason: 'error' | 'timeout' | 'unreadable';
  /** The error's `name` and `message` only. */
  error: {
    /** The error's name, e.g. `ReplyError`, `TimeoutError`. */
    name: string;
    /** The error's message, e.g. `Connection is closed.` or `no answer within 300 ms`. */
    message: string;
  };
}

/** Runs one Redis command with a time limit, reporting failures; rejects with a plain, secret-free `Error`. */
export interface RedisCall {
  <T>(operation: RedisTokenStoreOperation, command: () => Promise<T>): Promise<T>;
  /** Reports an event that is not a failed command. */
  report(operation: RedisTokenStoreOperation, reason: 'unreadable'): void;
}

const MESSAGES: Record<'unreadable', { name: string; message: string }> = {
  unreadable: { name: 'UnreadableValueError', message: 'stored value could not be read; treated as absent' },
};

/** The command's error as `{ name, message }`: ioredis errors also carry the command and its arguments, a token among them. */
function describe(error: unknown): { name: string; message: string } {
  if (!(error instanceof Error)) return { name: 'Error', message: 'redis command failed' };
  return { name: String(error.name).slice(0, 100), message: String(error.message).slice(0, 300) };
}

/** @param timeoutMs How long to wait for each answer, in milliseconds. */
export function createRedisCall(
  timeoutMs: number,
  onError: ((event: RedisTokenStoreEvent) => void) | undefined,
): RedisCall {
  const emit = (event: RedisTokenStoreEvent): void => {
    try {
      onError?.(event);
    } catch {
      // A listener that throws must not turn a handled failure into a failed API call.
    }
  };
  const call = <T>(operation: RedisTokenStoreOperation, command: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (reason: 'error' | 'timeout', error: { name: string; message: string }): void => {
        settled = true;
        emit({ type: 'store_error', operation, reason, error });
        reject(Object.assign(new Error(`redis "${operation}" failed: ${error.message}`), { name: error.name }));
      };
      const timer = setTimeout(
        () => fail('timeout', { name: 'TimeoutError', message: `no answer within ${timeoutMs} ms` }),
        timeoutMs,
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
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          clearTimeout(timer);
          fail('error', describe(error));
        },
      );
    });
  return Object.assign(call, {
    report: (operation: RedisTokenStoreOperation, reason: 'unreadable') =>
      emit({ type: 'store_error', operation, reason, error: { ...MESSAGES[reason] } }),
  });
}
