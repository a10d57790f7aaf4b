import Mutex from 'mutex-js';

interface KeyState {
  mutex: Mutex;
  /** Calls queued on or holding the mutex; the state is dropped when it falls to zero. */
  users: number;
  /** The single-flight run in progress, shared by every caller that arrives while it runs. */
  flight: Promise<unknown> | undefined;
}

/**
 * Per-key locking for one token store, built on mutex-js.
 *
 * `exclusive` serialises critical sections on a key ("read the store, exchange if stale, write the
 * store"; "compare-and-delete"). `singleFlight` additionally lets callers that arrive while a run
 * is in flight join it instead of queueing a second one, so a burst makes one exchange and a
 * failure rejects every joined caller with the same error.
 */
export class KeyedLock {
  readonly #keys = new Map<string, KeyState>();

  exclusive<T>(key: string, fn: () => T | PromiseLike<T>): Promise<T> {
    let state = this.#keys.get(key);
    if (state === undefined) {
      state = { mutex: new Mutex(), users: 0, flight: undefined };
      this.#keys.set(key, state);
    }
    const held = state;
    held.users += 1;
    // A state leaves the map only when its last user is done, and a new caller then makes a new
    // one: the entry under `key` is still `held` whenever its count falls to zero.
    const release = (): void => {
      held.users -= 1;
      if (held.users === 0) this.#keys.delete(key);
    };
    return held.mutex.lock(fn).then(
      (value) => {
        release();
        return value;
      },
      (error: unknown) => {
        release();
        throw error;
      },
    );
  }

  singleFlight<T>(key: string, fn: () => T | PromiseLike<T>): Promise<T> {
    const existing = this.#keys.get(key)?.flight;
    if (existing !== undefined) return existing as Promise<T>;
    const flight = this.exclusive(key, fn);
    // exclusive() created the key's state synchronously and keeps it until the flight settles.
    const state = this.#keys.get(key)!;
    // No other flight can start on this state before this one settles and clears.
    state.flight = flight;
    const clear = (): void => {
      state.flight = undefined;
    };
    flight.then(clear, clear);
    return flight;
  }

  /** Keys with a queued or running critical section (for tests: idle keys must not pile up). */
  get activeKeys(): number {
    return this.#keys.size;
  }
}

const locksByStore = new WeakMap<object, KeyedLock>();

/** The one lock registry of a store, shared by every installation in the process that uses it. */
export function lockFor(store: object): KeyedLock {
  let lock = locksByStore.get(store);
  if (lock === undefined) {
    lock = new KeyedLock();
    locksByStore.set(store, lock);
  }
  return lock;
}
