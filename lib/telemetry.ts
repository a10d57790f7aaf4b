import { channel } from 'node:diagnostics_channel';
import { systemClock } from './clock';
import { CACHE_HIT_CHANNEL, EVENT_CHANNEL, type CacheHitMessage } from './channels';
import { defaultLogWriter, formatEvent, formatValue, type LogWriter } from './debug-log';
import {
  summarize,
  type ClientCredentialsEvent,
  type ClientCredentialsStats,
  type ClientCredentialsEventListener,
} from './events';
import type { AccessToken } from './types';

const eventChannel = channel(EVENT_CHANNEL);
const cacheHitChannel = channel(CACHE_HIT_CHANNEL);
let lastExchangeId = 0;

/** One exchange in progress, as {@link Telemetry} tracks it. */
export interface ExchangeRun {
  readonly id: number;
  readonly background: boolean;
  readonly startedAt: number;
  attempts: number;
}

interface Burst {
  readonly flight: PromiseLike<unknown>;
  readonly startedAt: number;
  callers: number;
}

/** How a {@link Telemetry} reports. */
export interface TelemetryOptions {
  /** Carried on every event and log line. Default is `'axios-client-credentials'`. */
  name?: string;
  /** The `onEvent` option. Default is none. */
  listener?: ClientCredentialsEventListener | undefined;
  /** Where debug lines go. Default is {@link defaultLogWriter}: from `NODE_DEBUG` or `DEBUG`. */
  log?: LogWriter | undefined;
  /** A monotonic clock in milliseconds for durations. Default is the system clock's `monotonic`. */
  monotonicNow?: () => number;
}

/**
 * The counters and events of one installation, changed only through intention methods: a module
 * says what happened (`exchangeFailed(run, error)`), and the counter, the event, the debug line and
 * the diagnostics channel follow from that one call, so they cannot disagree.
 */
export class Telemetry {
  readonly name: string;
  readonly #stats: ClientCredentialsStats = {
    exchanges: 0,
    tokenRequests: 0,
    cacheHits: 0,
    waits: 0,
    replays: 0,
    failures: 0,
    backgroundRenewals: 0,
  };
  readonly #listener: ClientCredentialsEventListener | undefined;
  readonly #log: LogWriter | undefined;
  readonly #now: () => number;
  /** The two cache-hit messages, frozen and reused; made when the channel first has a subscriber. */
  #hitMessages: { readonly memory: CacheHitMessage; readonly store: CacheHitMessage } | undefined;
  #burst: Burst | undefined;

  constructor(options: TelemetryOptions = {}) {
    this.name = options.name ?? 'axios-client-credentials';
    this.#listener = options.listener;
    this.#log = 'log' in options ? options.log : defaultLogWriter();
    this.#now = options.monotonicNow ?? systemClock.monotonic;
  }

  /** Whether anyone receives events: checked before building one. */
  get listening(): boolean {
    return this.#listener !== undefined || this.#log !== undefined || eventChannel.hasSubscribers;
  }

  /** A copy of the counters. */
  stats(): ClientCredentialsStats {
    return { ...this.#stats };
  }

  /** A request was served from the cache. The warm path: a counter, and a message only while subscribed. */
  cacheHit(source: 'memory' | 'store'): void {
    this.#stats.cacheHits += 1;
    if (!cacheHitChannel.hasSubscribers) return;
    const messages = (this.#hitMessages ??= {
      memory: Object.freeze({ name: this.name, source: 'memory' }),
      store: Object.freeze({ name: this.name, source: 'store' }),
    });
    cacheHitChannel.publish(messages[source]);
  }

  /**
   * A caller without a usable token waits for `flight`. Callers joining the same flight make one
   * burst, reported once (`token_wait`) when it settles.
   */
  waited<T>(flight: Promise<T>): Promise<T> {
    this.#stats.waits += 1;
    if (!this.listening) return flight;
    const current = this.#burst;
    if (current !== undefined && current.flight === flight) {
      current.callers += 1;
      return flight;
    }
    const burst: Burst = { flight, startedAt: this.#now(), callers: 1 };
    this.#burst = burst;
    const end = (outcome: 'succeeded' | 'failed'): void => {
      if (this.#burst === burst) this.#burst = undefined;
      const durationMs = this.#now() - burst.startedAt;
      this.#emit({ type: 'token_wait', name: this.name, callers: burst.callers, durationMs, outcome });
    };
    flight.then(
      () => end('succeeded'),
      () => end('failed'),
    );
    return flight;
  }

  /** An exchange starts; `background` when no caller waits for it. */
  exchangeStarted({ background }: { background: boolean }): ExchangeRun {
    this.#stats.exchanges += 1;
    lastExchangeId += 1;
    const run: ExchangeRun = { id: lastExchangeId, background, startedAt: this.#now(), attempts: 0 };
    if (this.listening) this.#emit({ type: 'exchange_started', name: this.name, exchangeId: run.id, background });
    return run;
  }

  /** A token request of `run` is sent (a retry or a DPoP nonce resend too). */
  tokenRequested(run: ExchangeRun): void {
    this.#stats.tokenRequests += 1;
    run.attempts += 1;
  }

  /** A token request of `run` failed and is retried after `delayMs`. */
  exchangeRetrying(run: ExchangeRun, error: unknown, retry: number, delayMs: number): void {
    if (!this.listening) return;
    const { id: exchangeId, background } = run;
    this.#emit({
      type: 'exchange_retry',
      name: this.name,
      exchangeId,
      background,
      error: summarize(error),
      retry,
      delayMs,
    });
  }

  /** `run` got `token` from `tokenEndpoint`. */
  exchangeSucceeded(run: ExchangeRun, token: AccessToken, tokenEndpoint: string, now: number): void {
    if (!this.listening) return;
    this.#emit({
      type: 'exchange_succeeded',
      name: this.name,
      exchangeId: run.id,
      background: run.background,
      attempts: run.attempts,
      durationMs: this.#now() - run.startedAt,
      tokenEndpoint: withoutQuery(tokenEndpoint),
      expiresInMs: token.expiresAt - now,
    });
  }

  /** `run` failed with `error`; `cooldownMs` when quota protection now applies. */
  exchangeFailed(run: ExchangeRun, error: unknown, tokenEndpoint: string | undefined, cooldownMs?: number): void {
    this.#stats.failures += 1;
    if (!this.listening) return;
    this.#emit({
      type: 'exchange_failed',
      name: this.name,
      exchangeId: run.id,
      background: run.background,
      attempts: run.attempts,
      durationMs: this.#now() - run.startedAt,
      tokenEndpoint: tokenEndpoint === undefined ? undefined : withoutQuery(tokenEndpoint),
      error: summarize(error),
      cooldownMs,
    });
  }

  /** Quota protection failed a call fast with `error`, without an exchange. */
  exchangeRefused(error: unknown): void {
    this.#stats.failures += 1;
    if (this.listening) this.#emit({ type: 'exchange_refused', name: this.name, error: summarize(error) });
  }

  /** A background renewal starts for a token with `expiresInMs` left. */
  renewalScheduled(expiresInMs: number): void {
    this.#stats.backgroundRenewals += 1;
    if (this.listening) this.#emit({ type: 'renewal_scheduled', name: this.name, expiresInMs });
  }

  /** A background renewal failed; the next may start in `retryInMs`. */
  backgroundRenewalFailed(error: unknown, retryInMs: number): void {
    if (this.listening) {
      this.#emit({ type: 'background_renewal_failed', name: this.name, error: summarize(error), retryInMs });
    }
  }

  /** A 401 answer is replayed with a renewed token. */
  replayed(): void {
    this.#stats.replays += 1;
    if (this.listening) this.#emit({ type: 'unauthorized_replay', name: this.name });
  }

  /** The store failed on `operation`; the call carries on without it. */
  storeFailed(operation: 'get' | 'set' | 'delete' | 'lock', error: unknown): void {
    if (this.listening) this.#emit({ type: 'store_error', name: this.name, operation, error: summarize(error) });
  }

  /** The origin policy sent a request to `origin` without the token (once per origin). */
  tokenWithheld(origin: string): void {
    if (this.listening) this.#emit({ type: 'token_withheld', name: this.name, origin });
  }

  /**
   * A request's own Authorization header was replaced with the token (said once per installation,
   * in the debug output only: the header's value is never written).
   */
  authorizationReplaced(): void {
    this.#log?.(
      `type=authorization_replaced name=${formatValue(this.name)} hint="replaced the request's own Authorization header with the access token; send it with { skipAuth: true } to keep it"`,
    );
  }

  /** To the debug log, the listener and the diagnostics channel; a listener that throws is ignored. */
  #emit(event: ClientCredentialsEvent): void {
    // The start of an exchange is for spans; the log has its outcome, one line.
    if (event.type !== 'exchange_started') this.#log?.(formatEvent(event));
    if (this.#listener !== undefined) {
      try {
        this.#listener(event);
      } catch {
        // A listener's bug must never break a request.
      }
    }
    if (eventChannel.hasSubscribers) eventChannel.publish(event);
  }
}

function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
