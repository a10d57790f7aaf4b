/**
 * Recipe: Prometheus metrics with prom-client, one label per installation.
 *
 * `onEvent` feeds the exchange, wait, replay and store-error metrics; the cache-hit counter reads
 * `handle.stats()` when Prometheus scrapes, since a request served from the cache emits no event.
 * The metric names match what the OpenTelemetry instrumentation exports through a Prometheus
 * exporter, so dashboards work with either.
 */
import axios from 'axios';
import { Counter, Histogram, Registry } from 'prom-client';
import { installClientCredentials, type ClientCredentialsEvent, type ClientCredentialsHandle } from '../../lib';
import { envFromProcess, runIfMain, type RecipeEnv } from './env';

export function createMetrics(registry: Registry) {
  const exchanges = new Counter({
    name: 'oauth_client_credentials_exchanges_total',
    help: 'Token exchanges finished, by outcome.',
    labelNames: ['name', 'outcome', 'error_type'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'oauth_client_credentials_exchange_duration_seconds',
    help: 'Duration of token exchanges, retries included.',
    labelNames: ['name', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const waits = new Counter({
    name: 'oauth_client_credentials_waits_total',
    help: 'Requests that waited for a token exchange.',
    labelNames: ['name'],
    registers: [registry],
  });
  const replays = new Counter({
    name: 'oauth_client_credentials_replays_total',
    help: 'Requests answered 401 and replayed with a renewed token.',
    labelNames: ['name'],
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'oauth_client_credentials_store_errors_total',
    help: 'Token store calls that failed.',
    labelNames: ['name', 'operation'],
    registers: [registry],
  });
  const handles = new Map<string, ClientCredentialsHandle>();
  const reported = new Map<string, number>();
  new Counter({
    name: 'oauth_client_credentials_cache_hits_total',
    help: 'Requests given a cached token without waiting.',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      for (const [name, handle] of handles) {
        const hits = handle.stats().cacheHits;
        this.inc({ name }, hits - (reported.get(name) ?? 0));
        reported.set(name, hits);
      }
    },
  });

  const onEvent = (event: ClientCredentialsEvent): void => {
    const { name } = event;
    switch (event.type) {
      case 'exchange_succeeded':
      case 'exchange_failed': {
        const outcome = event.type === 'exchange_succeeded' ? 'success' : 'failure';
        const errorType = event.type === 'exchange_failed' ? (event.error.code ?? event.error.name) : '';
        exchanges.inc({ name, outcome, error_type: errorType });
        duration.observe({ name, outcome }, event.durationMs / 1000);
        break;
      }
      case 'token_wait':
        waits.inc({ name }, event.callers);
        break;
      case 'unauthorized_replay':
        replays.inc({ name });
        break;
      case 'store_error':
        storeErrors.inc({ name, operation: event.operation });
        break;
      default:
        break;
    }
  };
  /** Counts `handle`'s cache hits under its name. */
  const track = (name: string, handle: ClientCredentialsHandle): void => void handles.set(name, handle);
  return { onEvent, track };
}

export async function main(env: RecipeEnv) {
  const registry = new Registry();
  const { onEvent, track } = createMetrics(registry);

  const billing = axios.create({ baseURL: env.billingUrl });
  const credentials = { tokenUrl: env.tokenUrl, clientId: env.clientId, clientSecret: env.clientSecret };
  track('billing', installClientCredentials(billing, { ...credentials, name: 'billing', onEvent }));

  await Promise.all([billing.get('/a'), billing.get('/b'), billing.get('/c')]); // one cold burst
  await billing.get('/d'); // warm
  await billing.get('/e'); // warm

  // What GET /metrics would answer: `registry.metrics()` with `registry.contentType`.
  return { metrics: await registry.metrics() };
}

runIfMain(module, () => main(envFromProcess(['tokenUrl', 'clientId', 'clientSecret', 'billingUrl'])));
