import { systemClock, type Clock } from './clock';
import type { Deadline } from './deadline';
import { TokenRequestError } from './errors';

/** How token requests are retried. Durations in milliseconds. */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 turns retrying off. */
  retries: number;
  /** The first backoff step; each retry doubles it (full jitter: a random delay up to the step). */
  baseDelayMs: number;
  /** The longest wait: caps the backoff step, and a longer `Retry-After` ends the retrying. */
  maxDelayMs: number;
}

/** The first backoff step: 200 milliseconds, then 400, 800, ... up to the cap. */
export const RETRY_BASE_DELAY_MS = 200;

/**
 * Whether a failed token request is worth another attempt: network errors, timeouts, 5xx and 429
 * answers. OAuth 2.0 error responses (RFC 6749 §5.2) and malformed 2xx answers never are: asking
 * again gets the same answer and spends quota.
 */
export function isRetryable(error: unknown): error is TokenRequestError {
  if (!(error instanceof TokenRequestError)) return false;
  if (error.code === 'TOKEN_ENDPOINT_UNREACHABLE' || error.code === 'TOKEN_ENDPOINT_TIMEOUT') return true;
  const status = error.status;
  return error.code === 'TOKEN_RESPONSE_HTTP_ERROR' && status !== undefined && (status === 429 || status >= 500);
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as milliseconds from
 * `now` (never negative), or `undefined` when absent or unreadable.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (1-based): `Retry-After` when the server sent one, else
 * exponential backoff with full jitter. `undefined` means do not retry (the server asked for a
 * longer wait than the cap).
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.maxDelayMs ? retryAfterMs : undefined;
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * step);
}

/** How {@link withRetries} reports, waits and gives up. */
export interface RetryRun {
  /** Told before each retry's wait. Default is none. */
  onRetry?: (error: TokenRequestError, retry: number, delayMs: number) => void;
  /** Whether nobody waits for the outcome: its timers then never keep the process alive. Default is `false`. */
  background?: boolean;
  /**
   * The acquisition's total deadline: a retry whose wait would end after it is not made, and the
   * last error is thrown at once. Default is none.
   */
  deadline?: Deadline | undefined;
  /** Sleeps the backoff (monotonic timers: a wall-clock step neither stretches nor skips it). Default is {@link systemClock}. */
  clock?: Clock;
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retryable, or the retries are
 * spent; the last error is thrown. Each attempt is a whole token request, client authentication
 * included, so a JWT assertion is signed anew (fresh `jti`) every time.
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>, run: RetryRun = {}): Promise<T> {
  const { onRetry, background = false, deadline, clock = systemClock } = run;
  for (let retry = 1; ; retry += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (retry > policy.retries || !isRetryable(error)) throw error;
      const delay = retryDelayMs(policy, retry, error.retryAfterMs);
      // Waiting past the deadline would only end in a timeout; the real failure says more.
      if (delay === undefined || (deadline !== undefined && delay >= deadline.remainingMs())) throw error;
      onRetry?.(error, retry, delay);
      // A caller waits for a foreground retry: its timer keeps the process alive, as the request would.
      await clock.sleep(delay, !background);
    }
  }
}
