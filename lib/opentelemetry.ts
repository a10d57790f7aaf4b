import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type MeterProvider,
  type Span,
  type TracerProvider,
} from '@opentelemetry/api';
import { CACHE_HIT_CHANNEL, EVENT_CHANNEL, type CacheHitMessage } from './channels';
import type { ClientCredentialsEvent } from './events';
import { ATTRIBUTES, DURATION_BUCKETS, errorAttributes, serverAttributes } from './opentelemetry-attributes';

/** The instrumentation scope name of the meter and the tracer. */
export const INSTRUMENTATION_SCOPE = 'axios-client-credentials';

/** Where the instruments come from. */
export interface OpenTelemetryOptions {
  /** Default is the global one (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider;
  /** Default is the global one (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
}

/** What {@link instrumentOpenTelemetry} returns. */
export interface OpenTelemetryInstrumentation {
  /** Stops recording: unsubscribes from the diagnostics channels. Ends no span still open. */
  disable(): void;
}

/**
 * Records every installation's token exchanges, cache hits, waits, replays and store errors as
 * OpenTelemetry metrics, and each token exchange as a span, by subscribing to the plugin's
 * diagnostics channels. Call it once at startup; installations made before or after are covered.
 * Without it nothing is recorded and the warm path publishes nothing.
 *
 * Metrics: `oauth.client_credentials.exchanges` (counter, by `outcome` `success`/`failure` and
 * `error.type`), `oauth.client_credentials.exchange.duration` (histogram, seconds),
 * `oauth.client_credentials.cache_hits`, `oauth.client_credentials.waits` (callers that waited),
 * `oauth.client_credentials.replays`, `oauth.client_credentials.store_errors`. Span:
 * `oauth.client_credentials.exchange` (internal; the token request's own HTTP span, from HTTP
 * instrumentation, is its sibling). No attribute carries a secret, an assertion or a token.
 *
 * @param options The meter and tracer providers. Default is the global ones.
 * @returns A handle to stop recording.
 * @example
 * ```ts
 * import { instrumentOpenTelemetry } from 'axios-client-credentials/opentelemetry';
 * instrumentOpenTelemetry(); // after the OpenTelemetry SDK is started
 * ```
 */
export function instrumentOpenTelemetry(options: OpenTelemetryOptions = {}): OpenTelemetryInstrumentation {
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
  const exchanges = meter.createCounter('oauth.client_credentials.exchanges', {
    unit: '{exchange}',
    description: 'Token exchanges finished, by outcome.',
  });
  const duration = meter.createHistogram('oauth.client_credentials.exchange.duration', {
    unit: 's',
    description: 'Duration of token exchanges, retries and discovery included.',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const cacheHits = meter.createCounter('oauth.client_credentials.cache_hits', {
    unit: '{request}',
    description: 'Requests given a cached token without waiting.',
  });
  const waits = meter.createCounter('oauth.client_credentials.waits', {
    unit: '{request}',
    description: 'Requests that waited for a token exchange.',
  });
  const replays = meter.createCounter('oauth.client_credentials.replays', {
    unit: '{request}',
    description: 'Requests answered 401 and replayed with a renewed token.',
  });
  const storeErrors = meter.createCounter('oauth.client_credentials.store_errors', {
    unit: '{error}',
    description: 'Token store calls that failed; the call went on without the store.',
  });
  const spans = new Map<number, Span>();
  const hitAttributes = new WeakMap<CacheHitMessage, Attributes>();

  const onCacheHit = (message: unknown): void => {
    const hit = message as CacheHitMessage;
    let attributes = hitAttributes.get(hit);
    if (attributes === undefined) {
      attributes = { [ATTRIBUTES.name]: hit.name, [ATTRIBUTES.source]: hit.source };
      hitAttributes.set(hit, attributes);
    }
    cacheHits.add(1, attributes);
  };

  const onEvent = (message: unknown): void => {
    const event = message as ClientCredentialsEvent;
    const base: Attributes = { [ATTRIBUTES.name]: event.name };
    switch (event.type) {
      case 'exchange_started':
        spans.set(
          event.exchangeId,
          tracer.startSpan('oauth.client_credentials.exchange', {
            kind: SpanKind.INTERNAL,
            attributes: { ...base, [ATTRIBUTES.background]: event.background },
          }),
        );
        return;
      case 'exchange_retry':
        spans.get(event.exchangeId)?.addEvent('oauth.client_credentials.retry', {
          ...errorAttributes(event.error),
          'oauth.client_credentials.retry': event.retry,
          'oauth.client_credentials.retry.delay': event.delayMs / 1000,
        });
        return;
      case 'exchange_succeeded':
      case 'exchange_failed': {
        const failed = event.type === 'exchange_failed';
        const attributes: Attributes = {
          ...base,
          [ATTRIBUTES.outcome]: failed ? 'failure' : 'success',
          [ATTRIBUTES.background]: event.background,
          ...serverAttributes(event.tokenEndpoint),
          ...(failed ? errorAttributes(event.error) : {}),
        };
        exchanges.add(1, attributes);
        duration.record(event.durationMs / 1000, attributes);
        const span = spans.get(event.exchangeId);
        if (span === undefined) return;
        spans.delete(event.exchangeId);
        span.setAttributes({ ...attributes, [ATTRIBUTES.attempts]: event.attempts });
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: event.error.code ?? event.error.name });
        span.end();
        return;
      }
      case 'token_wait':
        waits.add(event.callers, base);
        return;
      case 'unauthorized_replay':
        replays.add(1, base);
        return;
      case 'store_error':
        storeErrors.add(1, { ...base, [ATTRIBUTES.storeOperation]: event.operation, ...errorAttributes(event.error) });
        return;
      default:
        return;
    }
  };

  // A subscriber that throws would surface as an uncaught exception: never let one escape.
  const guardedEvent = (message: unknown): void => {
    try {
      onEvent(message);
    } catch {
      // Telemetry must never break the application.
    }
  };
  const guardedHit = (message: unknown): void => {
    try {
      onCacheHit(message);
    } catch {
      // As above.
    }
  };
  subscribe(EVENT_CHANNEL, guardedEvent);
  subscribe(CACHE_HIT_CHANNEL, guardedHit);
  let enabled = true;
  return {
    disable: () => {
      if (!enabled) return;
      enabled = false;
      unsubscribe(EVENT_CHANNEL, guardedEvent);
      unsubscribe(CACHE_HIT_CHANNEL, guardedHit);
      spans.clear();
    },
  };
}

export type { CacheHitMessage } from './channels';
export { CACHE_HIT_CHANNEL, EVENT_CHANNEL } from './channels';
