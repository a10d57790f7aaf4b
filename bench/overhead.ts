/**
 * The per-request cost of the plugin on the warm path, as a ratio to a request through an
 * interceptor that sets a static header, both measured in the same run.
 *
 * The network is taken out with an adapter function that answers at once (see support.ts), so the
 * figure is axios plus one request interceptor, not a socket. Every instance runs exactly one
 * request interceptor; the plugin's instance also carries its 401 response interceptor, which is
 * part of what installing the plugin costs.
 *
 * A third instance, the control, is a copy of the baseline. Its ratio to the baseline should be
 * 1.000; how far it strays is the noise of this run, the yardstick for the plugin's ratio.
 *
 * Rounds are short and run the instances in a shuffled order, so drift from noisy neighbours and
 * the order inside a round fall on all of them alike (see interleavedRounds in support.ts). A
 * figure, not a test: nothing here asserts time.
 *
 * Run: npx tsx bench/overhead.ts
 */
import { subscribe } from 'node:diagnostics_channel';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { Redis } from 'ioredis';
import { CACHE_HIT_CHANNEL, EVENT_CHANNEL, installClientCredentials, type TokenStore } from '../lib';
import { RedisTokenStore } from '../lib/stores/redis';
import {
  inMemoryTokenEndpoint,
  instantAdapter,
  interleavedRounds,
  median,
  medianPairedRatio,
  microsecondsSince,
} from './support';

const TARGET_RATIO = 1.03;
const ROUNDS = 100;
const REQUESTS_PER_ROUND = 1_000;
const WARMUP_REQUESTS = 20_000;
const BATCH_SIZE = 100;
const BASE_URL = 'https://api.example.com';

type Mode = 'sequential' | 'concurrent';

interface ModeResult {
  /** Time per request in each round, in microseconds, in round order. */
  baselineUs: number[];
  controlUs: number[];
  pluginUs: number[];
  medianBaselineUs: number;
  medianControlUs: number;
  medianPluginUs: number;
  /** median(plugin) / median(baseline): the headline figure. */
  ratioOfMedians: number;
  /** min(plugin) / min(baseline): the least disturbed round of each. */
  ratioOfMins: number;
  /** The median of the per-round ratios plugin / baseline. */
  medianPairedRatio: number;
  /** median(control) / median(baseline): 1.000 but for noise. */
  controlRatioOfMedians: number;
  /** The median of the per-round ratios control / baseline. */
  controlPairedRatio: number;
}

function createBaseline(): AxiosInstance {
  const instance = axios.create({ baseURL: BASE_URL, adapter: instantAdapter });
  instance.interceptors.request.use((config) => {
    config.headers.set('Authorization', 'Bearer static-token');
    return config;
  });
  return instance;
}

function createPlugin(store: TokenStore | undefined): { instance: AxiosInstance; exchanges: () => number } {
  const instance = axios.create({ baseURL: BASE_URL, adapter: instantAdapter });
  const tokenEndpoint = inMemoryTokenEndpoint();
  installClientCredentials(instance, {
    tokenUrl: 'https://auth.example.com/token',
    clientId: 'bench-client',
    clientSecret: 'bench-secret',
    tokenClient: axios.create({ adapter: tokenEndpoint.adapter }),
    ...(store === undefined ? {} : { store }),
    ...(EVENTS ? { onEvent: () => {} } : {}),
  });
  return { instance, exchanges: tokenEndpoint.exchanges };
}

/** Sends `count` requests one after another; answers the time per request in microseconds. */
async function sequential(instance: AxiosInstance, count: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) await instance.get('/x');
  return microsecondsSince(start) / count;
}

/** Sends `count` requests in batches of BATCH_SIZE awaited together; answers the time per request in microseconds. */
async function concurrent(instance: AxiosInstance, count: number): Promise<number> {
  const batch = new Array<Promise<unknown>>(BATCH_SIZE);
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < count; sent += BATCH_SIZE) {
    for (let i = 0; i < BATCH_SIZE; i += 1) batch[i] = instance.get('/x');
    await Promise.all(batch);
  }
  return microsecondsSince(start) / count;
}

async function measure(mode: Mode, instances: readonly AxiosInstance[]): Promise<ModeResult> {
  const run = mode === 'sequential' ? sequential : concurrent;
  for (const instance of instances) await run(instance, WARMUP_REQUESTS);
  const [baselineUs, controlUs, pluginUs] = (await interleavedRounds(instances, ROUNDS, (instance) =>
    run(instance, REQUESTS_PER_ROUND),
  )) as [number[], number[], number[]];

  const medianBaselineUs = median(baselineUs);
  const medianControlUs = median(controlUs);
  const medianPluginUs = median(pluginUs);
  return {
    baselineUs,
    controlUs,
    pluginUs,
    medianBaselineUs,
    medianControlUs,
    medianPluginUs,
    ratioOfMedians: medianPluginUs / medianBaselineUs,
    ratioOfMins: Math.min(...pluginUs) / Math.min(...baselineUs),
    medianPairedRatio: medianPairedRatio(pluginUs, baselineUs),
    controlRatioOfMedians: medianControlUs / medianBaselineUs,
    controlPairedRatio: medianPairedRatio(controlUs, baselineUs),
  };
}

/** The Authorization header an instance sends, to check that the figures compare the right paths. */
async function authorizationOf(instance: AxiosInstance): Promise<string> {
  const response = await instance.get('/x');
  return String(response.config.headers.get('Authorization'));
}

function printTable(results: Record<Mode, ModeResult>): void {
  const columns: Array<[string, number]> = [
    ['mode', 10],
    ['baseline µs', 11],
    ['plugin µs', 9],
    ['ratio', 5],
    ['ratio(min)', 10],
    ['ratio(paired)', 13],
    ['control ratio', 13],
    [`≤ ${TARGET_RATIO}`, 7],
  ];
  console.log(columns.map(([title, width]) => title.padStart(width)).join('  '));
  for (const mode of ['sequential', 'concurrent'] as const) {
    const r = results[mode];
    const cells = [
      mode,
      r.medianBaselineUs.toFixed(3),
      r.medianPluginUs.toFixed(3),
      r.ratioOfMedians.toFixed(3),
      r.ratioOfMins.toFixed(3),
      r.medianPairedRatio.toFixed(3),
      r.controlRatioOfMedians.toFixed(3),
      r.ratioOfMedians <= TARGET_RATIO ? 'met' : 'NOT met',
    ];
    console.log(cells.map((cell, i) => cell.padStart(columns[i]![1])).join('  '));
  }
}

/**
 * `--redis`: the plugin keeps its tokens in a RedisTokenStore on REDIS_URL (default
 * redis://127.0.0.1:6379) instead of the process-wide memory store, so the figures show what the
 * store's in-process copy leaves of a Redis round trip on the warm path.
 */
const REDIS = process.argv.includes('--redis');

/**
 * `--events`: the plugin has a no-op `onEvent` listener and the diagnostics channels a no-op
 * subscriber each (what an APM tool or the OpenTelemetry instrumentation adds), so the figures
 * include publishing a cache-hit message on every warm request. Without it nobody listens.
 */
const EVENTS = process.argv.includes('--events');
if (EVENTS) {
  subscribe(EVENT_CHANNEL, () => {});
  subscribe(CACHE_HIT_CHANNEL, () => {});
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const baseline = createBaseline();
  const control = createBaseline();
  const redis = REDIS ? new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379') : undefined;
  try {
    await run(started, baseline, control, redis);
  } finally {
    await redis?.quit();
  }
}

async function run(
  started: bigint,
  baseline: AxiosInstance,
  control: AxiosInstance,
  redis: Redis | undefined,
): Promise<void> {
  const store =
    redis === undefined ? undefined : new RedisTokenStore(redis, { keyPrefix: `bench-overhead:${process.pid}:` });
  const plugin = createPlugin(store);

  // Warms the token: every request after this one takes the synchronous path.
  const pluginHeader = await authorizationOf(plugin.instance);
  const baselineHeader = await authorizationOf(baseline);
  if (pluginHeader !== 'Bearer bench-token-1' || baselineHeader !== 'Bearer static-token') {
    console.error(`UNEXPECTED Authorization headers: baseline "${baselineHeader}", plugin "${pluginHeader}"`);
    process.exitCode = 1;
    return;
  }

  const loadBefore = loadavg()[0]!;
  const instances = [baseline, control, plugin.instance];
  const results: Record<Mode, ModeResult> = {
    sequential: await measure('sequential', instances),
    concurrent: await measure('concurrent', instances),
  };
  const exchanges = plugin.exchanges();
  const elapsedSeconds = microsecondsSince(started) / 1e6;
  const targetMet = results.sequential.ratioOfMedians <= TARGET_RATIO;
  const cpu = cpus();
  const load = [loadBefore, loadavg()[0]!];

  console.log(
    `axios-client-credentials: warm-path overhead per request, network taken out; store: ${redis === undefined ? 'memory (default)' : 'RedisTokenStore'}` +
      (EVENTS ? '; with a no-op onEvent listener and channel subscribers' : ''),
  );
  console.log(
    `node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, load ${load
      .map((value) => value.toFixed(2))
      .join(' → ')}`,
  );
  console.log(
    `${ROUNDS} shuffled rounds × ${REQUESTS_PER_ROUND.toLocaleString('en')} requests per instance ` +
      `after ${WARMUP_REQUESTS.toLocaleString('en')} warm-up requests each; concurrent = batches of ${BATCH_SIZE}; ` +
      'µs are medians of rounds',
  );
  console.log('');
  printTable(results);
  console.log('');
  console.log(
    `target ≤ ${TARGET_RATIO} (sequential, ratio of medians): ${targetMet ? 'met' : 'NOT met'}` +
      ` (ratio ${results.sequential.ratioOfMedians.toFixed(3)};` +
      ` the control, a copy of the baseline, came out at ${results.sequential.controlRatioOfMedians.toFixed(3)})`,
  );
  console.log(
    `token exchanges during the run: ${exchanges}${exchanges === 1 ? '' : ' (UNEXPECTED, expected 1)'}; ` +
      `elapsed ${elapsedSeconds.toFixed(1)} s`,
  );

  const resultsDir = join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const name = `overhead${redis === undefined ? '' : '-redis'}${EVENTS ? '-events' : ''}.json`;
  const file = join(resultsDir, name);
  const report = {
    benchmark: 'overhead',
    store: redis === undefined ? 'memory' : 'redis',
    events: EVENTS,
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: { count: cpu.length, model: cpu[0]?.model.trim() },
    loadAverage: { before: load[0], after: load[1] },
    method: {
      rounds: ROUNDS,
      requestsPerRound: REQUESTS_PER_ROUND,
      warmupRequests: WARMUP_REQUESTS,
      batchSize: BATCH_SIZE,
      unit: 'microseconds per request',
    },
    target: { ratio: TARGET_RATIO, on: 'sequential.ratioOfMedians', met: targetMet },
    tokenExchanges: exchanges,
    elapsedSeconds,
    ...results,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`figures written to ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
