/** Where a token handed to a request came from, without a wait: this process's memory or an asynchronous (shared) store. */
export type TokenSource = 'memory' | 'store';

/** Fields every {@link ClientCredentialsEvent} carries. */
export interface EventBase {
  /** The installation's `name` option: by default `<clientId>@<token endpoint or issuer host>`. */
  name: string;
}

/** Fields of the events of one token exchange. */
export interface ExchangeEventBase extends EventBase {
  /** Numbers the exchanges of this process from 1, so the events of one exchange can be joined. */
  exchangeId: number;
  /** Whether it is a background renewal, which nobody waits for. */
  background: boolean;
}

/**
 * What the plugin reports through the `onEvent` option and the `axios-client-credentials:event`
 * diagnostics channel. No event carries a secret, an assertion or a token: only the kind, the
 * installation's name, counts, durations (milliseconds, from a monotonic clock) and error names and
 * codes. A request served from the cache emits no event: it is counted in `stats().cacheHits`.
 */
export type ClientCredentialsEvent =
  | (ExchangeEventBase & {
      /** A token exchange starts (its endpoint discovery, when `issuer` is set, included). */
      type: 'exchange_started';
    })
  | (ExchangeEventBase & {
      /** A token exchange succeeded. */
      type: 'exchange_succeeded';
      /** Token requests sent, retries included (1 when the first succeeded). */
      attempts: number;
      /** From the start of the exchange to the parsed answer, in milliseconds. */
      durationMs: number;
      /** The token endpoint, without query. */
      tokenEndpoint: string;
      /** How long the new token has left, in milliseconds. */
      expiresInMs: number;
    })
  | (ExchangeEventBase & {
      /** A token exchange failed, after its retries. */
      type: 'exchange_failed';
      /** Token requests sent, retries included; 0 when discovery failed. */
      attempts: number;
      /** From the start of the exchange to the failure, in milliseconds. */
      durationMs: number;
      /** The token endpoint, without query; undefined when discovery failed. */
      tokenEndpoint: string | undefined;
      /** What failed. */
      error: ErrorSummary;
      /** Set when quota protection now fails calls fast for this many milliseconds. */
      cooldownMs: number | undefined;
    })
  | (ExchangeEventBase & {
      /** A token request failed and is attempted again. */
      type: 'exchange_retry';
      /** What failed. */
      error: ErrorSummary;
      /** Which retry comes next, from 1. */
      retry: number;
      /** The wait before it, in milliseconds (the server's `Retry-After`, or the backoff). */
      delayMs: number;
    })
  | (EventBase & {
      /** Quota protection failed a call fast, without an exchange (see `errorCooldownMs`). */
      type: 'exchange_refused';
      /** The error the token endpoint answered last, which the call fails with. */
      error: ErrorSummary;
    })
  | (EventBase & {
      /**
       * Callers without a usable token waited for one exchange (their own, a shared one or another
       * process's): one event per burst, when the wait ends, however many callers joined it.
       */
      type: 'token_wait';
      /** How many callers waited. */
      callers: number;
      /** From the first caller's wait to its end, in milliseconds. */
      durationMs: number;
      /** Whether they got a token. */
      outcome: 'succeeded' | 'failed';
    })
  | (EventBase & {
      /** A token entered its renewal window: it keeps being served while one background exchange renews it. */
      type: 'renewal_scheduled';
      /** How long the token has left, in milliseconds. */
      expiresInMs: number;
    })
  | (EventBase & {
      /** A background renewal failed; the still-valid token keeps being served. */
      type: 'background_renewal_failed';
      /** What failed. */
      error: ErrorSummary;
      /** When the next background attempt may start, in milliseconds from now. */
      retryInMs: number;
    })
  | (EventBase & {
      /** A request was answered 401 and is replayed once with a renewed token. */
      type: 'unauthorized_replay';
    })
  | (EventBase & {
      /** The token store failed; the call carried on without it (fail open). */
      type: 'store_error';
      /** The store method that failed. */
      operation: 'get' | 'set' | 'delete' | 'lock';
      /** What failed. */
      error: ErrorSummary;
    })
  | (EventBase & {
      /**
       * The origin policy sent a request without the token: its origin is neither the `baseURL`
       * origin at install time nor a listed one. Reported once per origin per installation.
       */
      type: 'token_withheld';
      /** The request's origin, e.g. `'https://files.example.com'`: never a path or query. */
      origin: string;
    });

/** What an event says about an error: its class name, code and HTTP status, never its message. */
export interface ErrorSummary {
  /** The error's `name`, e.g. `'OAuth2Error'`. */
  name: string;
  /** The error's `code` (for an {@link OAuth2Error}, its `error`), when it has one. */
  code: string | undefined;
  /** The HTTP status of the answer, when there was one. */
  status: number | undefined;
}

/** A listener for {@link ClientCredentialsEvent}s, the `onEvent` option. */
export type ClientCredentialsEventListener = (event: ClientCredentialsEvent) => void;

/**
 * The old name of {@link ClientCredentialsEventListener}.
 *
 * @deprecated Imported, it shadows the DOM's global `EventListener`; use
 *   `ClientCredentialsEventListener`.
 */
export type EventListener = ClientCredentialsEventListener;

/** Counters of one installation since it was installed (see `ClientCredentialsHandle.stats`). */
export interface ClientCredentialsStats {
  /** Token exchanges started (retries of one exchange count once). */
  exchanges: number;
  /** Token requests sent, retries included. */
  tokenRequests: number;
  /** Requests answered with a token without waiting (memory or store). */
  cacheHits: number;
  /** Requests that waited for a token. */
  waits: number;
  /** 401 answers replayed with a renewed token. */
  replays: number;
  /** Token exchanges that failed (after their retries), and calls failed fast by quota protection. */
  failures: number;
  /** Background renewals started. */
  backgroundRenewals: number;
}

/** An error as events and debug output may show it. */
export function summarize(error: unknown): ErrorSummary {
  const { name, code, error: oauth, status } = (error ?? {}) as Record<string, unknown>;
  const codeText = typeof oauth === 'string' ? oauth : typeof code === 'string' ? code : undefined;
  return {
    name: typeof name === 'string' ? name : 'Error',
    code: codeText,
    status: typeof status === 'number' ? status : undefined,
  };
}
