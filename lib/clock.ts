/**
 * The library's one source of time (Duende's `TimeProvider`, issue 11): wall time only where a
 * date is meant (token expiry, which the server states relative to now), a monotonic clock for
 * every duration (cooldowns, backoff, lock waits, store timeouts), so a wall-clock step neither
 * freezes nor skips them; and a sleep whose timer never keeps the process alive.
 */
export interface Clock {
  /** Wall-clock time in epoch milliseconds, for token expiry and issue times. Default is `Date.now`. */
  readonly now: () => number;
  /** A monotonic reading in milliseconds from an arbitrary origin, for durations. Default is `performance.now`. */
  readonly monotonic: () => number;
  /**
   * Resolves after `ms` milliseconds (never rejects). The timer is unref'd: a pending sleep does
   * not keep the process alive, unless `keepAlive` is set for a wait that a caller awaits (a
   * retry's backoff), so a script awaiting its token does not exit in the middle of the wait.
   * Default is a `setTimeout`, unref'd unless `keepAlive`.
   */
  readonly sleep: (ms: number, keepAlive?: boolean) => Promise<void>;
  /**
   * Calls `callback` once after `ms` milliseconds on an unref'd timer, unless `keepAlive` is set
   * for a timer that must run before the process ends (closing a connection); answers a function
   * that cancels it. Used to bound waits (store calls) without keeping the process alive.
   */
  readonly after: (ms: number, callback: () => void, keepAlive?: boolean) => () => void;
}

function after(ms: number, callback: () => void, keepAlive = false): () => void {
  const timer = setTimeout(callback, ms);
  if (!keepAlive) timer.unref?.();
  return () => clearTimeout(timer);
}

/** The real clock: `Date.now`, `performance.now` and unref'd timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms: number, keepAlive = false) => new Promise<void>((resolve) => void after(ms, resolve, keepAlive)),
  after,
});

/** Whether `value` has every function a {@link Clock} has (the internal `clock` options check it). */
export function isClock(value: unknown): value is Clock {
  if (typeof value !== 'object' || value === null) return false;
  const clock = value as Partial<Record<keyof Clock, unknown>>;
  return (['now', 'monotonic', 'sleep', 'after'] as const).every((name) => typeof clock[name] === 'function');
}
