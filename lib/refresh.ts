import type { AccessToken } from './types';

/**
 * How much earlier than the renewal window a token may start renewing, as a fraction of the
 * window: each process draws its own point, so a fleet does not renew in lockstep.
 */
export const RENEWAL_JITTER = 0.1;

/**
 * The part of the renewal window in which a token is no longer served, as a fraction of the
 * window: a margin for clock skew and for the request still in flight when the token expires.
 */
export const EXPIRY_MARGIN = 0.25;

/** The first wait after a failed background renewal, in milliseconds; it doubles up to {@link BACKGROUND_BACKOFF_MAX_MS}. */
export const BACKGROUND_BACKOFF_MS = 1_000;

/** The longest wait between background renewal attempts, in milliseconds. */
export const BACKGROUND_BACKOFF_MAX_MS = 30_000;

/**
 * The largest share of a token's lifetime given to its renewal window: one sixth.
 *
 * The rule, for a fleet sharing one store: every process renews at its own point in the window
 * (jitter), the first one's exchange renews the token for all (the store's lock makes it one
 * exchange), and the new token's window opens one lifetime minus one window later. So a fleet makes
 * `1 / (1 - share × (1 + RENEWAL_JITTER))` exchanges per lifetime: 1.22 with a sixth (at a half, as
 * before, it was 2). The window still covers the token endpoint's latency as long as the endpoint
 * answers within the part of the window in which the token is still served, `1 - EXPIRY_MARGIN` of
 * it: an eighth of the lifetime (625 ms for a 5-second token). Long-lived tokens are not affected:
 * the configured window (default 30 seconds) is the smaller one from a 3-minute lifetime on.
 */
export const RENEWAL_SHARE = 1 / 6;

/**
 * How long before expiry a token is renewed, in milliseconds: the configured window, clamped to
 * {@link RENEWAL_SHARE} of the token's lifetime so a short-lived token (say 60 seconds against a
 * 30-second window) is renewed about once per lifetime instead of being "always expired".
 */
export function renewalWindowMs(token: AccessToken, refreshBeforeExpiryMs: number): number {
  const lifetime = token.expiresAt - token.issuedAt;
  return Math.max(0, Math.min(refreshBeforeExpiryMs, lifetime * RENEWAL_SHARE));
}

/** When a token starts renewing in the background and until when it is served, in epoch milliseconds. */
export interface RenewalTiming {
  /** From here on, requests still get the token but one background exchange renews it. */
  renewAt: number;
  /** From here on, the token is not served: a request waits for a new one. */
  usableUntil: number;
}

/**
 * The renewal timing of a token. The window opens `window` before expiry, earlier by up to
 * {@link RENEWAL_JITTER} of the window (`jitter` is a number in [0, 1)); a `refresh_in` hint
 * (`token.refreshAt`) replaces that point. The token is served until {@link EXPIRY_MARGIN} of the
 * window is left.
 */
export function renewalTiming(token: AccessToken, refreshBeforeExpiryMs: number, jitter: number): RenewalTiming {
  const window = renewalWindowMs(token, refreshBeforeExpiryMs);
  const usableUntil = token.expiresAt - window * EXPIRY_MARGIN;
  const renewAt =
    token.refreshAt === undefined
      ? token.expiresAt - window - window * RENEWAL_JITTER * jitter
      : Math.min(token.refreshAt, usableUntil);
  return { renewAt, usableUntil };
}

/** The wait after `failures` consecutive failed background renewals, in milliseconds. */
export function backgroundBackoffMs(failures: number): number {
  return Math.min(BACKGROUND_BACKOFF_MAX_MS, BACKGROUND_BACKOFF_MS * 2 ** Math.max(0, failures - 1));
}

/**
 * The background renewal of one token manager: at most one at a time, and after a failure (or an
 * exchange that handed back a token already due for renewal, such as the very same token) none
 * before the backoff has passed, so a flapping token endpoint is not hammered.
 */
export class BackgroundRenewal {
  #running = false;
  #failures = 0;
  #notBefore = 0;

  /** Whether a background renewal may start at `now`; if so, it counts as started. */
  tryStart(now: number): boolean {
    if (this.#running || now < this.#notBefore) return false;
    this.#running = true;
    return true;
  }

  /** The renewal produced a token that needs no renewal yet. */
  succeeded(): void {
    this.#running = false;
    this.#failures = 0;
    this.#notBefore = 0;
  }

  /** The renewal failed (or changed nothing): answers the wait before the next attempt. */
  failed(now: number): number {
    this.#running = false;
    this.#failures += 1;
    const wait = backgroundBackoffMs(this.#failures);
    this.#notBefore = now + wait;
    return wait;
  }
}
