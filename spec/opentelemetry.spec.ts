import axios from 'axios';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { installClientCredentials, MemoryTokenStore } from '../lib';
import { instrumentOpenTelemetry } from '../lib/opentelemetry';
import { json, startApiServer, startLoopbackServer, startTokenServer, type LoopbackServer } from './support/loopback';

const SECRET = 'otel-secret-5f4dcc3b5aa765d6';

type Point = { attributes: Record<string, unknown>; value: unknown };

/** The real SDK with in-memory readers: what the application's exporter would receive. */
function sdk() {
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const instrumentation = instrumentOpenTelemetry({ meterProvider, tracerProvider });
  let collected: ResourceMetrics | undefined;
  const points = (metric: string): Point[] =>
    (collected?.scopeMetrics ?? [])
      .flatMap((scope) => scope.metrics)
      .filter((m) => m.descriptor.name === metric)
      .flatMap((m) => m.dataPoints as Point[]);
  return {
    instrumentation,
    spans,
    collect: async () => {
      collected = (await reader.collect()).resourceMetrics;
    },
    points,
    /** The sum of a counter over its data points whose attributes include `where`. */
    sum: (metric: string, where: Record<string, unknown> = {}) =>
      points(metric)
        .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
        .reduce((total, p) => total + (p.value as number), 0),
    /** Every attribute recorded: metric data points, spans and span events. */
    allAttributes: () =>
      JSON.stringify([
        collected?.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => m.dataPoints.map((p) => p.attributes))),
        spans.getFinishedSpans().map((s) => [s.name, s.attributes, s.status, s.events]),
      ]),
    shutdown: async () => {
      instrumentation.disable();
      await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
    },
  };
}

describe('instrumentOpenTelemetry() with the OpenTelemetry SDK', () => {
  let otel: ReturnType<typeof sdk>;
  const servers: LoopbackServer[] = [];

  beforeEach(() => {
    otel = sdk();
  });
  afterEach(async () => {
    await otel.shutdown();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('records a cold burst of 100 as exactly one exchange and one span, and 100 waits', async () => {
    const tokens = await startTokenServer({ delayMs: 20 });
    servers.push(tokens);
    const tokenPort = Number(new URL(tokens.tokenUrl).port);
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const handle = installClientCredentials(api, {
      tokenUrl: tokens.tokenUrl,
      clientId: 'svc',
      clientSecret: SECRET,
      store: new MemoryTokenStore(),
      name: 'billing-api',
    });
    await Promise.all(Array.from({ length: 100 }, () => handle.getToken()));
    await Promise.all(Array.from({ length: 50 }, () => handle.getToken()));
    await otel.collect();

    expect(tokens.requests).toHaveLength(1);
    expect(otel.points('oauth.client_credentials.exchanges')).toEqual([
      {
        attributes: {
          'oauth.client_credentials.name': 'billing-api',
          'oauth.client_credentials.outcome': 'success',
          'oauth.client_credentials.background': false,
          'server.address': '127.0.0.1',
          'server.port': tokenPort,
        },
        value: 1,
        startTime: expect.anything() as unknown,
        endTime: expect.anything() as unknown,
      },
    ]);
    const [histogram] = otel.points('oauth.client_credentials.exchange.duration');
    expect(histogram?.value).toMatchObject({ count: 1 });
    expect(otel.sum('oauth.client_credentials.waits', { 'oauth.client_credentials.name': 'billing-api' })).toBe(100);
    expect(otel.sum('oauth.client_credentials.cache_hits', { 'oauth.client_credentials.source': 'memory' })).toBe(50);

    const spans = otel.spans.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['oauth.client_credentials.exchange']);
    expect(spans[0]!.attributes).toEqual({
      'oauth.client_credentials.name': 'billing-api',
      'oauth.client_credentials.outcome': 'success',
      'oauth.client_credentials.background': false,
      'oauth.client_credentials.attempts': 1,
      'server.address': '127.0.0.1',
      'server.port': tokenPort,
    });
    expect(spans[0]!.status).toEqual({ code: 0 });
  });

  it('records one replay per call when the API answers 401 to the revoked token', async () => {
    const tokens = await startTokenServer();
    const revoked = new Set<string>();
    const apiServer = await startApiServer((token) => tokens.issued.includes(token) && !revoked.has(token));
    servers.push(tokens, apiServer);
    const api = axios.create({ baseURL: apiServer.origin });
    const handle = installClientCredentials(api, {
      tokenUrl: tokens.tokenUrl,
      clientId: 'svc',
      clientSecret: SECRET,
      store: new MemoryTokenStore(),
      name: 'reports-api',
    });
    expect((await api.get('/warm')).status).toBe(200);
    for (let call = 0; call < 3; call += 1) {
      for (const token of tokens.issued) revoked.add(token);
      expect((await api.get(`/call-${call}`)).status).toBe(200);
    }
    await otel.collect();

    expect(otel.sum('oauth.client_credentials.replays', { 'oauth.client_credentials.name': 'reports-api' })).toBe(3);
    expect(handle.stats().replays).toBe(3);
    expect(otel.sum('oauth.client_credentials.exchanges', { 'oauth.client_credentials.outcome': 'success' })).toBe(4);
    expect(otel.spans.getFinishedSpans()).toHaveLength(4);
  });

  it('records a failing endpoint with its error code, and no secret or token in any attribute', async () => {
    let refuse = false;
    const tokens = await startLoopbackServer((_request, response) =>
      refuse
        ? json(response, 401, { error: 'invalid_client', error_description: `bad ${SECRET}` })
        : json(response, 200, { access_token: 'otel-token-6c3e226b4d4795d5', token_type: 'Bearer', expires_in: 3600 }),
    );
    servers.push(tokens);
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const handle = installClientCredentials(api, {
      tokenUrl: `${tokens.origin}/token`,
      clientId: 'svc',
      clientSecret: SECRET,
      store: new MemoryTokenStore(),
      name: 'ledger-api',
    });
    await handle.getToken();
    refuse = true;
    await handle.invalidate();
    await expect(handle.getToken()).rejects.toMatchObject({ name: 'OAuth2Error', error: 'invalid_client' });
    await otel.collect();

    expect(
      otel.sum('oauth.client_credentials.exchanges', {
        'oauth.client_credentials.outcome': 'failure',
        'error.type': 'invalid_client',
        'http.response.status_code': 401,
      }),
    ).toBe(1);
    const failed = otel.spans.getFinishedSpans().filter((s) => s.status.code === 2);
    expect(failed.map((s) => [s.status.message, s.attributes['error.type']])).toEqual([
      ['invalid_client', 'invalid_client'],
    ]);
    const recorded = otel.allAttributes();
    expect(recorded).toContain('ledger-api');
    for (const secret of [
      SECRET,
      Buffer.from(`svc:${SECRET}`).toString('base64'),
      'otel-token-6c3e226b4d4795d5',
      'bad ',
    ]) {
      expect(recorded).not.toContain(secret);
    }
  });

  it('records nothing once disabled', async () => {
    const tokens = await startTokenServer();
    servers.push(tokens);
    otel.instrumentation.disable();
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const handle = installClientCredentials(api, { tokenUrl: tokens.tokenUrl, clientId: 'svc', clientSecret: SECRET });
    await handle.getToken();
    await handle.getToken();
    await otel.collect();
    expect(otel.points('oauth.client_credentials.exchanges')).toEqual([]);
    expect(otel.points('oauth.client_credentials.cache_hits')).toEqual([]);
    expect(otel.spans.getFinishedSpans()).toEqual([]);
  });
});
