/**
 * Recipe: OpenTelemetry metrics and a span per token exchange, in one line.
 *
 * `instrumentOpenTelemetry()` from `axios-client-credentials/opentelemetry` subscribes to the
 * plugin's diagnostics channels and records through `@opentelemetry/api`. In an application that
 * starts the SDK globally (`new NodeSDK({ ... }).start()`), call it with no argument. This recipe
 * passes its providers explicitly, with in-memory exporters, so it can show what was recorded.
 */
import axios from 'axios';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { installClientCredentials } from '../../lib';
import { instrumentOpenTelemetry } from '../../lib/opentelemetry';
import { envFromProcess, runIfMain, type RecipeEnv } from './env';

export async function main(env: RecipeEnv) {
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 60_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });

  // The one line (with a global SDK: `instrumentOpenTelemetry()`).
  const instrumentation = instrumentOpenTelemetry({ meterProvider, tracerProvider });

  const billing = axios.create({ baseURL: env.billingUrl });
  installClientCredentials(billing, {
    tokenUrl: env.tokenUrl,
    clientId: env.clientId,
    clientSecret: env.clientSecret,
    name: 'billing',
  });
  await Promise.all([billing.get('/a'), billing.get('/b'), billing.get('/c')]);
  await billing.get('/d');

  const { resourceMetrics } = await reader.collect();
  const metrics: Record<string, number> = {};
  for (const metric of resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)) {
    for (const point of metric.dataPoints) {
      const value = typeof point.value === 'number' ? point.value : point.value.count;
      metrics[metric.descriptor.name] = (metrics[metric.descriptor.name] ?? 0) + value;
    }
  }
  const spans = spanExporter.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes }));
  instrumentation.disable();
  await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
  return { metrics, spans };
}

runIfMain(module, () => main(envFromProcess(['tokenUrl', 'clientId', 'clientSecret', 'billingUrl'])));
