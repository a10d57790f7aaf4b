/**
 * The peer benchmark's scenarios. Each starts fresh loopback servers and a fresh instance per
 * contender, sends a bounded number of calls and answers counts and times; none asserts anything.
 */
import axios, { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosInstance, type AxiosResponse } from 'axios';
import {
  instantAdapter,
  interleavedRounds,
  median,
  medianPairedRatio,
  microsecondsSince,
  tokenResponseBody,
} from '../support';
import type { Contender, Wiring } from './contenders';
import { startBenchServers, type BenchServerOptions, type BenchServers } from './servers';

const CLIENT = { clientId: 'bench-client', clientSecret: 'bench-secret' };

/** Starts servers, wires the contender against them, runs `body`, and always closes the servers. */
async function withContender<T>(
  contender: Contender,
  options: BenchServerOptions,
  body: (instance: AxiosInstance, servers: BenchServers) => Promise<T>,
): Promise<T> {
  const servers = await startBenchServers(options);
  try {
    const instance = contender.create({
      ...CLIENT,
      tokenUrl: servers.tokenUrl,
      tokenClient: axios.create(),
      apiDefaults: { baseURL: servers.apiUrl },
    });
    return await body(instance, servers);
  } finally {
    await servers.close();
  }
}

async function settleAll(count: number, send: () => Promise<unknown>): Promise<{ succeeded: number; failed: number }> {
  const outcomes = await Promise.allSettled(Array.from({ length: count }, send));
  const failed = outcomes.filter((outcome) => outcome.status === 'rejected').length;
  return { succeeded: count - failed, failed };
}

export interface ColdBurstResult {
  calls: number;
  succeeded: number;
  failed: number;
  tokenExchanges: number;
  apiCalls: number;
  elapsedMs: number;
}

/** `calls` concurrent calls on an empty cache. */
export function coldBurst(contender: Contender, calls: number, tokenDelayMs: number): Promise<ColdBurstResult> {
  return withContender(contender, { tokenDelayMs, expiresInSeconds: 3600 }, async (instance, servers) => {
    const start = process.hrtime.bigint();
    const { succeeded, failed } = await settleAll(calls, () => instance.get('/data'));
    return {
      calls,
      succeeded,
      failed,
      tokenExchanges: servers.exchanges(),
      apiCalls: servers.apiCalls(),
      elapsedMs: microsecondsSince(start) / 1000,
    };
  });
}

export interface RevocationResult {
  calls: number;
  succeeded: number;
  failed: number;
  /** Token exchanges during the storm. */
  renewals: number;
  apiCalls: number;
  /** Whether the warm-up call before the revocation succeeded. */
  warmedUp: boolean;
}

/** One warm-up call, then the server revokes every token, then `calls` concurrent calls. */
export function revocationStorm(contender: Contender, calls: number, tokenDelayMs: number): Promise<RevocationResult> {
  return withContender(contender, { tokenDelayMs, expiresInSeconds: 3600 }, async (instance, servers) => {
    // A contender that only fetches on a 401 (axios-auth-refresh) needs its first call to warm up.
    let warmedUp = false;
    for (let attempt = 0; attempt < 2 && !warmedUp; attempt += 1) {
      warmedUp = await instance.get('/data').then(
        () => true,
        () => false,
      );
    }
    servers.revokeAll();
    const exchangesBefore = servers.exchanges();
    const apiBefore = servers.apiCalls();
    const { succeeded, failed } = await settleAll(calls, () => instance.get('/data'));
    return {
      calls,
      succeeded,
      failed,
      renewals: servers.exchanges() - exchangesBefore,
      apiCalls: servers.apiCalls() - apiBefore,
      warmedUp,
    };
  });
}

export interface RolloverOptions {
  expiresInSeconds: number;
  tokenDelayMs: number;
  durationMs: number;
  /** Calls started per second, on a fixed schedule whatever the answers do (an open loop). */
  callsPerSecond: number;
}

export interface RolloverResult {
  calls: number;
  failed: number;
  tokenExchanges: number;
  p50Ms: number;
  p99Ms: number;
  worstMs: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/**
 * Steady traffic across several token lifetimes. Calls start on a fixed schedule, so a call that
 * waits for a renewal shows up in the latencies instead of slowing the senders down. A warm-up
 * call comes first: the cold start waits for the first exchange whatever the library, and it is
 * not a rollover.
 */
export function rollover(contender: Contender, options: RolloverOptions): Promise<RolloverResult> {
  const { tokenDelayMs, expiresInSeconds } = options;
  return withContender(contender, { tokenDelayMs, expiresInSeconds }, async (instance, servers) => {
    // A contender that only fetches on a 401 (axios-auth-refresh) needs its first call to warm up.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const warm = await instance.get('/data').then(
        () => true,
        () => false,
      );
      if (warm) break;
    }
    const calls = Math.round((options.durationMs / 1000) * options.callsPerSecond);
    const intervalMs = 1000 / options.callsPerSecond;
    const latencies: number[] = [];
    let failed = 0;
    const pending: Array<Promise<void>> = [];
    const start = Date.now();
    for (let i = 0; i < calls; i += 1) {
      const due = start + i * intervalMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sent = process.hrtime.bigint();
      pending.push(
        instance.get('/data').then(
          () => {
            latencies.push(microsecondsSince(sent) / 1000);
          },
          () => {
            failed += 1;
          },
        ),
      );
    }
    await Promise.all(pending);
    latencies.sort((a, b) => a - b);
    return {
      calls,
      failed,
      tokenExchanges: servers.exchanges(),
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      worstMs: latencies.at(-1) ?? Number.NaN,
    };
  });
}

export interface OverheadResult {
  /** Microseconds per request through the contender, median of rounds. */
  medianUs: number;
  /** Microseconds per request through the static-header baseline, median of rounds. */
  baselineUs: number;
  /** The median of per-round ratios contender / baseline. */
  ratio: number;
}

/** An API adapter without a network that answers 401 to a request without a token it issued, so 401-driven contenders warm up. */
function checkingAdapter(): AxiosAdapter {
  return (config) => {
    const authorization = String(config.headers.get('Authorization') ?? '');
    if (authorization.startsWith('Bearer bench-token')) return instantAdapter(config);
    const response: AxiosResponse = {
      data: '',
      status: 401,
      statusText: 'Unauthorized',
      headers: new AxiosHeaders({ 'www-authenticate': 'Bearer error="invalid_token"' }),
      config,
      request: {},
    };
    return Promise.reject(
      new AxiosError('Request failed with status code 401', 'ERR_BAD_REQUEST', config, {}, response),
    );
  };
}

/** An in-memory token endpoint adapter that issues `bench-token-N`, valid for an hour. */
function tokenAdapter(): AxiosAdapter {
  let issued = 0;
  return (config) => {
    issued += 1;
    return Promise.resolve({
      data: tokenResponseBody(`bench-token-${issued}`),
      status: 200,
      statusText: 'OK',
      headers: new AxiosHeaders({ 'content-type': 'application/json' }),
      config,
      request: {},
    });
  };
}

async function sequential(instance: AxiosInstance, count: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) await instance.get('/x');
  return microsecondsSince(start) / count;
}

/**
 * The warm per-request cost with the network taken out (see bench/overhead.ts for the method),
 * every contender and a static-header baseline in shuffled, interleaved rounds.
 */
export async function overhead(
  list: readonly Contender[],
  rounds: number,
  requestsPerRound: number,
  warmupRequests: number,
): Promise<Record<string, OverheadResult>> {
  const wiring = (): Wiring => ({
    ...CLIENT,
    tokenUrl: 'https://auth.example.com/oauth/token',
    tokenClient: axios.create({ adapter: tokenAdapter() }),
    apiDefaults: { baseURL: 'https://api.example.com', adapter: checkingAdapter() },
  });
  const baseline = axios.create(wiring().apiDefaults);
  baseline.interceptors.request.use((config) => {
    config.headers.set('Authorization', 'Bearer bench-token-static');
    return config;
  });
  const instances = [baseline, ...list.map((contender) => contender.create(wiring()))];
  for (const instance of instances) {
    // The first call may answer 401 once for a 401-driven contender; the warm-up after it may not.
    await instance.get('/x').catch(() => undefined);
    await sequential(instance, warmupRequests);
  }
  const figures = await interleavedRounds(instances, rounds, (instance) => sequential(instance, requestsPerRound));
  const baselineUs = figures[0]!;
  const results: Record<string, OverheadResult> = {};
  list.forEach((contender, index) => {
    const us = figures[index + 1]!;
    results[contender.id] = {
      medianUs: median(us),
      baselineUs: median(baselineUs),
      ratio: medianPairedRatio(us, baselineUs),
    };
  });
  return results;
}
