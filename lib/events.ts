import createDebug from 'debug';

/** Where a token handed to a request came from. */
export type TokenSource = 'network' | 'memory' | 'store';

/**
 * What the plugin reports through the `onEvent` option. No event carries a secret, an assertion
 * or a token: only the kind, counts, durations (milliseconds) and error names and codes.
 */
export type ClientCredentialsEvent =
  | {
      /** A request got a token without a secret or the token in the event. */
      type: 'token_acquired';
      /** From a token exchange, this process's memory, or a read of an asynchronous (shared) store. */
      source: TokenSource;
      /** How long the token has left, in milliseconds. */
      expiresInMs: number;
    }
  | {
      /** A token exchange failed, after its retries. */
      type: 'exchange_failed';
      /** What failed. */
      error: ErrorSummary;
      /** Whether it was a background renewal, which nobody waited for. */
      background: boolean;
      /** Set when quota protection now fails calls fast for this many milliseconds. */
      cooldownMs: number | undefined;
    }
  | {
      /** A token request failed and is attempted again. */
      type: 'exchange_retry';
      /** What failed. */
      error: ErrorSummary;
      /** Which retry comes next, from 1. */
      retry: number;
      /** The wait before it, in milliseconds (the server's `Retry-After`, or the backoff). */
      delayMs: number;
    }
  | {
      /** A token entered its renewal window: it keeps being served while one background exchange renews it. */
      type: 'renewal_scheduled';
      /** How long the token has left, in milliseconds. */
      expiresInMs: number;
    }
  | {
      /** A background renewal failed; the still-valid token keeps being served. */
      type: 'background_renewal_failed';
      /** What failed. */
      error: ErrorSummary;
      /** When the next background attempt may start, in milliseconds from now. */
      retryInMs: number;
    }
  | {
      /** A request was answered 401 and is replayed once with a renewed token. */
      type: 'unauthorized_replay';
    }
  | {
      /** The token store failed; the call carried on without it (fail open). */
      type: 'store_error';
      /** The store method that failed. */
      operation: 'get' | 'set' | 'delete' | 'lock';
      /** What failed. */
      error: ErrorSummary;
    }
  | {
      /** A request had no usable token and waited for an exchange (its own, a shared one, or another process's). */
      type: 'lock_wait';
    }
  | {
      /**
       * The origin policy sent a request without the token: its origin is neither the `baseURL`
       * origin at install time nor a listed one. Reported once per origin per installation.
       */
      type: 'token_withheld';
      /** The request's origin, e.g. `'https://files.example.com'`: never a path or query. */
      origin: string;
    };

/** What an event says about an error: its class name, code and HTTP status, never its message. */
export interface ErrorSummary {
  /** The error's `name`, e.g. `'OAuth2Error'`. */
  name: string;
  /** The error's `code` (for an {@link OAuth2Error}, its `error`), when it has one. */
  code: string | undefined;
  /** The HTTP status of the answer, when there was one. */
  status: number | undefined;
}

/** A listener for {@link ClientCredentialsEvent}s. */
export type EventListener = (event: ClientCredentialsEvent) => void;

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

/** The single debug namespace: enable with `DEBUG=axios-client-credentials`. */
export const log = createDebug('axios-client-credentials');

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

/** The events and counters of one installation. */
export class Telemetry {
  readonly stats: ClientCredentialsStats = {
    exchanges: 0,
    tokenRequests: 0,
    cacheHits: 0,
    waits: 0,
    replays: 0,
    failures: 0,
    backgroundRenewals: 0,
  };
  /** Set only when someone listens: callers test it before building an event object. */
  readonly listening: boolean;
  readonly #listener: EventListener | undefined;

  constructor(listener: EventListener | undefined) {
    this.#listener = listener;
    this.listening = listener !== undefined || log.enabled;
  }

  /** Reports `event` to the listener and the debug log; a listener that throws is ignored. */
  emit(event: ClientCredentialsEvent): void {
    if (log.enabled && event.type !== 'token_acquired') log('%s %o', event.type, event);
    if (this.#listener === undefined) return;
    try {
      this.#listener(event);
    } catch {
      // A listener's bug must never break a request.
    }
  }
}
