import { OAuth2Error } from './errors';

/**
 * The OAuth 2.0 errors that say the client itself is refused (RFC 6749 §5.2): asking again with
 * the same credentials and parameters gets the same answer, and may spend a metered quota.
 */
const CLIENT_REJECTED = new Set(['invalid_client', 'unauthorized_client', 'invalid_scope', 'invalid_grant']);

/**
 * Quota protection: after the token endpoint rejected the client, every exchange fails fast with
 * that same error for `cooldownMs` instead of asking again.
 */
export class Cooldown {
  readonly #cooldownMs: number;
  readonly #now: () => number;
  #error: OAuth2Error | undefined;
  #until = 0;

  /**
   * @param cooldownMs How long a rejection is remembered, in milliseconds; 0 turns this off.
   * @param now A monotonic clock in milliseconds (see `Clock.monotonic`): a wall-clock step must
   *   neither stretch nor cut short a cooldown.
   */
  constructor(cooldownMs: number, now: () => number) {
    this.#cooldownMs = cooldownMs;
    this.#now = now;
  }

  /** The remembered rejection while the cooldown lasts, else `undefined`. */
  active(): OAuth2Error | undefined {
    if (this.#error === undefined) return undefined;
    if (this.#now() < this.#until) return this.#error;
    this.#error = undefined;
    return undefined;
  }

  /** Remembers `error` if it rejects the client; answers whether it did. */
  record(error: unknown): boolean {
    if (this.#cooldownMs <= 0 || !(error instanceof OAuth2Error) || !CLIENT_REJECTED.has(error.error)) return false;
    this.#error = error;
    this.#until = this.#now() + this.#cooldownMs;
    return true;
  }

  /** Forgets the rejection: a token exchange succeeded. */
  clear(): void {
    this.#error = undefined;
  }
}
