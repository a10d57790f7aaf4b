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
   * not keep the process alive. Default is an unref'd `setTimeout`.
   */
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * Calls `callback` once after `ms` milliseconds on an unref'd timer; answers a function that
   * cancels it. Used to bound waits (store calls) without keeping the process alive.
   */
  readonly after: (ms: number, callback: () => void) => () => void;
}

function after(ms: number, callback: () => void): () => void {
  const timer = setTimeout(callback, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
}

/** The real clock: `Date.now`, `performance.now` and unref'd timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms: number) =>
    new Promise<void>((resolve) => {
      after(ms, resolve);
    }),
  after,
});
