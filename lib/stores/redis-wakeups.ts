import { systemClock, type Clock } from '../clock';
import type { RedisCall } from './redis-call';
import type { RedisAdapter, Subscriber } from './redis-client';

/** The channel a lock's holder publishes on when it writes a token or releases the lock: the lock key plus this. */
export const WAKE_CHANNEL_SUFFIX = ':wake';

/** How long an unused subscriber connection stays open, in milliseconds, for the next wait. */
const LINGER_MS = 250;

/** The most a waiter's wake-up after a lease lapses is delayed at random, in milliseconds, so waiters do not all retry at once. */
const LAPSE_JITTER_MS = 50;

/**
 * Wakes the waiters for a store's locks: one subscriber connection (a `duplicate()` of the client,
 * opened on the first wait and closed once no one has waited for {@link LINGER_MS}), one channel
 * per lock. After subscribing, a waiter looks at the lease once: a lock already gone wakes it at
 * once (the holder finished before we listened), a live one sets its timer to when the lease would
 * lapse, so a dead holder is taken over as soon as its lease runs out.
 */
export class Wakeups {
  readonly #redis: RedisAdapter;
  readonly #call: RedisCall;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  #subscriber: Subscriber | undefined;
  readonly #channels = new Map<string, Promise<void>>();
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Cancels the timer that closes the idle subscriber. */
  #idle: (() => void) | undefined;

  /**
   * @param timeoutMs How long to wait for a subscription and a look at the lease, in milliseconds.
   * @param clock Runs the waits and the linger. Default is {@link systemClock}.
   */
  constructor(redis: RedisAdapter, call: RedisCall, timeoutMs: number, clock: Clock = systemClock) {
    this.#redis = redis;
    this.#call = call;
    this.#timeoutMs = timeoutMs;
    this.#clock = clock;
  }

  /** Resolves when `lockKey`'s holder publishes, its lease lapses, or after `timeoutMs`. Never rejects. */
  wait(lockKey: string, timeoutMs: number): Promise<void> {
    const channel = lockKey + WAKE_CHANNEL_SUFFIX;
    const clock = this.#clock;
    const started = clock.monotonic();
    return new Promise<void>((resolve) => {
      let waiters = this.#waiters.get(channel);
      if (waiters === undefined) this.#waiters.set(channel, (waiters = new Set()));
      const group = waiters;
      const wake = (): void => {
        cancel();
        group.delete(wake);
        if (group.size === 0 && this.#waiters.get(channel) === group) this.#waiters.delete(channel);
        this.#lingerIfIdle();
        resolve();
      };
      // Ref'd, as the waiter awaits it.
      let cancel = clock.after(timeoutMs, wake, true);
      group.add(wake);
      this.#listen(channel)
        .then(() => this.#call('wait', () => this.#redis.pttl(lockKey), this.#timeoutMs))
        .then(
          (pttl) => {
            if (!group.has(wake)) return;
            // -2: no lock any more; -1 would be a lock without expiry, which this store never sets.
            if (pttl === -2 || pttl === 0) return wake();
            const lapse = pttl + Math.random() * LAPSE_JITTER_MS;
            if (pttl > 0 && lapse < timeoutMs - (clock.monotonic() - started)) {
              cancel();
              cancel = clock.after(lapse, wake, true);
            }
          },
          () => undefined, // Reported; the fallback timer wakes this waiter.
        );
    });
  }

  #listen(channel: string): Promise<void> {
    this.#idle?.();
    this.#idle = undefined;
    let subscribed = this.#channels.get(channel);
    if (subscribed === undefined) {
      const subscriber = (this.#subscriber ??= this.#redis.subscriber());
      const confirmed = this.#call(
        'wait',
        () => subscriber.subscribe(channel, () => this.#wakeAll(channel)),
        this.#timeoutMs,
      );
      subscribed = confirmed;
      this.#channels.set(channel, confirmed);
      confirmed.catch(() => {
        if (this.#channels.get(channel) === confirmed) this.#channels.delete(channel);
      });
    }
    return subscribed;
  }

  #wakeAll(channel: string): void {
    for (const wake of [...(this.#waiters.get(channel) ?? [])]) wake();
  }

  #lingerIfIdle(): void {
    if (this.#waiters.size > 0 || this.#subscriber === undefined || this.#idle !== undefined) return;
    // Ref'd: the subscriber connection must be closed, not left behind when the process ends.
    this.#idle = this.#clock.after(
      LINGER_MS,
      () => {
        this.#idle = undefined;
        if (this.#waiters.size > 0) return;
        this.#subscriber?.close();
        this.#subscriber = undefined;
        this.#channels.clear();
      },
      true,
    );
  }
}
