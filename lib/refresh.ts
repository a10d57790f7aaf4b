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
 * How long before expiry a token is renewed, in milliseconds: the configured window, clamped to
 * half the token's lifetime so a short-lived token (say 60 seconds against a 30-second window) is
 * still used for half its life instead of being "always expired".
 */
export function renewalWindowMs(token: AccessToken, refreshBeforeExpiryMs: number): number {
  const lifetime = token.expiresAt - token.issuedAt;
  return Math.max(0, Math.min(refreshBeforeExpiryMs, lifetime / 2));
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
