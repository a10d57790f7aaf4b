import type { AxiosInstance } from 'axios';
import { systemClock, type Clock } from './clock';

/**
 * A point in monotonic time after which an operation is abandoned, with the signal that fires
 * then. Durations come from the clock's monotonic time, so a wall-clock step never moves a deadline.
 */
export interface Deadline {
  /** Aborts when the deadline passes; its timer never keeps the process alive. */
  readonly signal: AbortSignal;
  /** The budget the deadline was made with, in milliseconds. */
  readonly totalMs: number;
  /** The clock the deadline runs on: the steps of its operation time themselves on it too. */
  readonly clock: Clock;
  /** Milliseconds left, 0 once passed. */
  remainingMs(): number;
  /** Stops the timer once the operation is over: the signal then never fires. */
  release(): void;
}

/** Node's longest timer: a longer delay would overflow and fire after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A signal that aborts with a `TimeoutError` after `ms` on `clock` (default {@link systemClock}),
 * as `AbortSignal.timeout()` does; its timer is unref'd.
 */
export function timeoutSignal(ms: number, clock: Clock = systemClock): AbortSignal {
  return deadlineIn(ms, clock).signal;
}

/**
 * A deadline `ms` milliseconds from now on `clock` (default {@link systemClock}): its signal
 * aborts on the clock's unref'd timer, with a `TimeoutError` as `AbortSignal.timeout()` does.
 */
export function deadlineIn(ms: number, clock: Clock = systemClock): Deadline {
  const end = clock.monotonic() + ms;
  const controller = new AbortController();
  const release = clock.after(Math.min(ms, MAX_TIMER_MS), () =>
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
  );
  return {
    signal: controller.signal,
    totalMs: ms,
    clock,
    remainingMs: () => Math.max(0, end - clock.monotonic()),
    release,
  };
}

/**
 * The signal one request is sent with: it aborts at the first of its own deadline (connect to last
 * byte: axios' `timeout` in Node is only an idle-socket timer, so a body trickled in byte by byte
 * would never trip it), the signal the client's defaults carry, and any `outer` deadline.
 */
export function requestSignal(client: AxiosInstance, own: AbortSignal, outer?: AbortSignal): AbortSignal {
  const signals = [own];
  const fromClient = client.defaults.signal;
  // axios also accepts a legacy CancelToken-like signal; only a real AbortSignal can be combined.
  if (fromClient instanceof AbortSignal) signals.push(fromClient);
  if (outer !== undefined) signals.push(outer);
  return signals.length === 1 ? own : anySignal(signals);
}

/** `AbortSignal.any` (Node 20.3+), or the same done by hand where it is missing. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const controller = new AbortController();
  const abort = (signal: AbortSignal): void => controller.abort(signal.reason);
  for (const signal of signals) {
    if (signal.aborted) abort(signal);
    else signal.addEventListener('abort', () => abort(signal), { once: true, signal: controller.signal });
  }
  return controller.signal;
}

/** Whether `signal` was aborted by a deadline (a `TimeoutError`), not by someone's `abort()`. */
export function timedOut(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
}

/**
 * The defaults a token acquisition is made of: a 30-second request timeout (milliseconds), 2
 * retries, and a 10-second cap on each wait between attempts (milliseconds).
 */
export const ACQUISITION_DEFAULTS = Object.freeze({ requestTimeoutMs: 30_000, retries: 2, retryMaxDelayMs: 10_000 });

/**
 * The default total time for one token acquisition, in milliseconds: every attempt at its full
 * per-request timeout, the longest backoff wait before each retry, and, with discovery, the two
 * metadata requests. With the defaults (30 s, 2 retries, 10 s cap) that is 110 seconds, or 170
 * seconds with an `issuer`.
 */
export function defaultAcquisitionTimeoutMs(settings: {
  requestTimeoutMs: number;
  retries: number;
  retryMaxDelayMs: number;
  discovery: boolean;
}): number {
  const { requestTimeoutMs, retries, retryMaxDelayMs, discovery } = settings;
  return requestTimeoutMs * (retries + 1) + retryMaxDelayMs * retries + (discovery ? 2 * requestTimeoutMs : 0);
}

/** {@link defaultAcquisitionTimeoutMs} of {@link ACQUISITION_DEFAULTS}, without discovery: 110000 (110 seconds). */
export const DEFAULT_ACQUISITION_TIMEOUT_MS = defaultAcquisitionTimeoutMs({
  ...ACQUISITION_DEFAULTS,
  discovery: false,
});

/**
 * `promise`, or `onTimeout()`'s error once `deadline` passes, whichever comes first. For waits that
 * are shared with other callers (the issuer's metadata) and so must not be aborted for one of them.
 */
export function untilDeadline<T>(promise: Promise<T>, deadline: Deadline, onTimeout: () => Error): Promise<T> {
  const { signal } = deadline;
  if (signal.aborted) return Promise.reject(onTimeout());
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(onTimeout());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
