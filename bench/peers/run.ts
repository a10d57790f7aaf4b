/**
 * axios-client-credentials against its peers: axios-token-interceptor with axios-oauth-client,
 * axios-auth-refresh, @scienta/axios-oauth2 and a hand-written interceptor, each wired as its own
 * README shows (see contenders.ts), against the same loopback authorization and resource servers.
 *
 * Prints one table, writes bench/results/peers.json and redraws docs/benchmarks.svg from that
 * JSON. A figure, not a test: it asserts nothing and exits 0 whatever it measures. Everything
 * listens on 127.0.0.1, every scenario is bounded in calls and time, and the script exits by itself.
 *
 * Run: npm run bench:peers
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, type } from 'node:os';
import { join } from 'node:path';
import { CHART_FILE, writeChart } from './chart';
import { contenders } from './contenders';
import { fleet, redisAnswers, type FleetResult } from './fleet';
import type { PeerReport } from './report';
import {
  coldBurst,
  overhead,
  revocationStorm,
  rollover,
  type ColdBurstResult,
  type RevocationResult,
  type RolloverOptions,
} from './scenarios';
import { bundleSize, type SizeResult } from './size';

const ROOT = join(__dirname, '..', '..');
const COLD_BURST_CALLS = 1_000;
const REVOCATION_CALLS = 300;
const TOKEN_DELAY_MS = 50;
const ROLLOVER: RolloverOptions = { expiresInSeconds: 5, tokenDelayMs: 500, durationMs: 12_000, callsPerSecond: 50 };
const OVERHEAD = { rounds: 30, requestsPerRound: 1_000, warmupRequests: 5_000 };
const FLEET = { processes: 6, callsPerProcess: 100 };
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

function versionOf(name: string): string {
  const file = name === 'axios-client-credentials' ? 'package.json' : join('node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { version: string }).version;
}

/** Whether the fleet scenario can run: it needs the Redis store and a Redis that answers. */
async function fleetStatus(): Promise<{ runs: boolean; status: string }> {
  if (!existsSync(join(ROOT, 'lib', 'stores', 'redis.ts'))) {
    return { runs: false, status: 'n/a (Redis store not yet available)' };
  }
  if (!(await redisAnswers(REDIS_URL))) return { runs: false, status: `n/a (no Redis answers at ${REDIS_URL})` };
  return {
    runs: true,
    status:
      `${FLEET.processes} processes × ${FLEET.callsPerProcess} calls, cold; ` +
      'this library on one RedisTokenStore, the peers on their own caches',
  };
}

function printTable(report: PeerReport): void {
  const columns: Array<[string, number, (row: PeerReport['results'][number]) => string]> = [
    ['library', 44, (r) => r.label],
    ['cold ok', 7, (r) => String(r.coldBurst.succeeded)],
    ['cold exch', 9, (r) => String(r.coldBurst.tokenExchanges)],
    ['cold API', 8, (r) => String(r.coldBurst.apiCalls)],
    ['revoke renew', 12, (r) => String(r.revocation.renewals)],
    ['revoke fail', 11, (r) => String(r.revocation.failed)],
    ['roll p99 ms', 11, (r) => r.rollover.p99Ms.toFixed(0)],
    ['roll max ms', 11, (r) => r.rollover.worstMs.toFixed(0)],
    ['roll fail', 9, (r) => String(r.rollover.failed)],
    ['roll exch', 9, (r) => String(r.rollover.tokenExchanges)],
    ['fleet exch', 10, (r) => (r.fleet === null ? 'n/a' : String(r.fleet.tokenExchanges))],
    ['fleet fail', 10, (r) => (r.fleet === null ? 'n/a' : String(r.fleet.failed))],
    ['overhead', 8, (r) => (r.overhead === null ? 'n/a' : `${r.overhead.ratio.toFixed(2)}×`)],
    ['min+gz kB', 9, (r) => (r.size.gzippedBytes / 1024).toFixed(1)],
  ];
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(columns[i]![1]) : cell.padStart(columns[i]![1]))).join('  ');
  console.log(line(columns.map(([title]) => title)));
  for (const row of report.results) console.log(line(columns.map(([, , cell]) => cell(row))));
}

async function main(): Promise<void> {
  const started = Date.now();
  const cpu = cpus();
  console.log(
    `axios-client-credentials vs. its peers; node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim()}`,
  );

  const cold: ColdBurstResult[] = [];
  const revocation: RevocationResult[] = [];
  for (const contender of contenders) {
    process.stdout.write(`  cold burst and revocation storm: ${contender.label}\n`);
    cold.push(await coldBurst(contender, COLD_BURST_CALLS, TOKEN_DELAY_MS));
    revocation.push(await revocationStorm(contender, REVOCATION_CALLS, TOKEN_DELAY_MS));
  }
  // Every library at once, each against its own servers: 12 s in all instead of 12 s each.
  console.log(`  rollover: every library at once for ${ROLLOVER.durationMs / 1000} s`);
  const rolled = await Promise.all(contenders.map((contender) => rollover(contender, ROLLOVER)));
  const fleetRun = await fleetStatus();
  const fleets: Array<FleetResult | null> = [];
  for (const contender of contenders) {
    if (!fleetRun.runs) {
      fleets.push(null);
      continue;
    }
    console.log(`  fleet: ${contender.label}`);
    fleets.push(await fleet(contender, FLEET.processes, FLEET.callsPerProcess, TOKEN_DELAY_MS, REDIS_URL));
  }
  console.log('  warm overhead, network taken out');
  const costs = await overhead(contenders, OVERHEAD.rounds, OVERHEAD.requestsPerRound, OVERHEAD.warmupRequests);
  console.log('  bundle sizes');
  const sizes: SizeResult[] = [];
  for (const contender of contenders) sizes.push(await bundleSize(contender.sizeEntry, ROOT));

  const packages = [
    'axios',
    ...new Set(contenders.flatMap((contender) => contender.packages)),
    ...(fleetRun.runs ? ['ioredis'] : []),
  ];
  const report: PeerReport = {
    benchmark: 'peers',
    date: new Date().toISOString(),
    machine: {
      os: `${type()} ${release()} ${process.arch}`,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown CPU',
      node: process.version.slice(1),
    },
    versions: Object.fromEntries(packages.map((name) => [name, versionOf(name)])),
    settings: {
      coldBurstCalls: COLD_BURST_CALLS,
      revocationCalls: REVOCATION_CALLS,
      tokenDelayMs: TOKEN_DELAY_MS,
      rollover: ROLLOVER,
      overhead: OVERHEAD,
      fleet: FLEET,
    },
    fleet: fleetRun.status,
    elapsedSeconds: (Date.now() - started) / 1000,
    results: contenders.map((contender, i) => ({
      id: contender.id,
      label: contender.label,
      coldBurst: cold[i]!,
      revocation: revocation[i]!,
      rollover: rolled[i]!,
      overhead: costs[contender.id] ?? null,
      fleet: fleets[i] ?? null,
      size: sizes[i]!,
    })),
  };

  console.log('');
  printTable(report);
  console.log('');
  console.log(
    `cold: ${COLD_BURST_CALLS} concurrent calls, empty cache, ${TOKEN_DELAY_MS} ms token endpoint; ` +
      `revoke: ${REVOCATION_CALLS} concurrent calls after the server revoked the token; ` +
      `roll: ${ROLLOVER.expiresInSeconds} s tokens, ${ROLLOVER.tokenDelayMs} ms token endpoint, ` +
      `${ROLLOVER.callsPerSecond} calls/s for ${ROLLOVER.durationMs / 1000} s, all libraries at once; ` +
      'overhead: median paired ratio to a static-header interceptor, network taken out; ' +
      'size: esbuild bundle, minified, gzipped, axios excluded',
  );
  console.log(`fleet: ${report.fleet}`);

  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, 'peers.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeChart(file);
  console.log(
    `figures written to ${file}; chart redrawn at ${CHART_FILE}; elapsed ${report.elapsedSeconds.toFixed(1)} s`,
  );
}

// Every scenario is bounded; this is the backstop for a library that leaves a call hanging.
const WATCHDOG_MS = 5 * 60_000;
setTimeout(() => {
  console.error(`bench:peers did not finish within ${WATCHDOG_MS / 60_000} minutes; giving up`);
  process.exit(1);
}, WATCHDOG_MS).unref();

main().then(
  // @scienta/axios-oauth2's cache keeps a timer per token for its whole lifetime (an hour here),
  // which would hold the process open long after the last figure.
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
