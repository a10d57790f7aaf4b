/**
 * Warm-request cost in CPU instructions, counted by valgrind's callgrind: a figure that does not
 * depend on the machine's load or clock, so it can be compared across commits and with peers.
 *
 * Each contender runs in a fresh `node --single-threaded --predictable --hash-seed=1
 * --random-seed=1` process under callgrind (bench/instructions/child.cjs): `--predictable` and
 * `--single-threaded` keep garbage collection and compilation on the main thread at the same
 * points, the seeds fix hashing and Math.random. The child warms up (first token, compiled code),
 * then sends N requests through a local adapter (no sockets). A second run with zero requests
 * (same warm-up) is subtracted, so startup, loading and warm-up cancel out:
 *
 *   per request = (instructions(N) - instructions(0)) / N
 *
 * Contenders: `baseline`, a request interceptor doing `config.headers.Authorization = 'Bearer …'`;
 * `token-interceptor`, axios-token-interceptor with its tokenCache; `this`, this project's built
 * package (dist/index.cjs, so run `npm run build` first) with `clientSecret`. The ratio is to the
 * baseline: what a user pays over the least they could write.
 *
 * Repeatability: with `--repeat 2` every run is made twice and the spread printed. On this machine
 * (Node 20.20, valgrind 3, 2 shared cores under load) two runs of N = 10,000 agreed to 0.002–0.04%
 * per contender, once 0.15%; whole sessions agreed to 0.15% (baseline 362,965 and 362,788, this
 * project 374,998 and 375,517 instructions per request). Load changes wall time, not counts.
 * Without `--predictable`, garbage-collection timing makes counts wander by ~1%.
 *
 * Run: npm run build && npm run bench:instructions [-- --requests 10000 --repeat 2 --jobs 2]
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

const CONTENDERS = ['baseline', 'token-interceptor', 'this'] as const;
const NODE_FLAGS = ['--single-threaded', '--predictable', '--hash-seed=1', '--random-seed=1'];
const CHILD = path.join(__dirname, 'instructions', 'child.cjs');

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`--${name} must be a positive integer`);
  return value;
}

const REQUESTS = option('requests', 10_000);
const REPEAT = option('repeat', 1);
const JOBS = option('jobs', 2);

/** The instructions one child process executes, from callgrind's "Collected" line. */
function countInstructions(contender: string, requests: number): Promise<number> {
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...NODE_FLAGS, CHILD];
  return new Promise((resolve, reject) => {
    execFile(
      'valgrind',
      [...args, contender, String(requests)],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        const match = /Collected : (\d+)/.exec(stderr);
        if (error !== null || match === null) {
          reject(
            new Error(`${contender} x${requests} failed: ${error?.message ?? 'no count'}\n${stderr.slice(-2000)}`),
          );
          return;
        }
        resolve(Number(match[1]));
      },
    );
  });
}

/** Runs the tasks `JOBS` at a time: instruction counts do not depend on what else runs. */
async function pool<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(JOBS, tasks.length) }, worker));
  return results;
}

async function main(): Promise<void> {
  const runs = CONTENDERS.flatMap((contender) => Array.from({ length: REPEAT }, (_, round) => ({ contender, round })));
  const tasks = runs.flatMap(({ contender }) => [
    () => countInstructions(contender, 0),
    () => countInstructions(contender, REQUESTS),
  ]);
  console.log(`callgrind, node ${process.version} ${NODE_FLAGS.join(' ')}, ${REQUESTS} warm requests per run`);
  const counts = await pool(tasks);
  const perRequest = new Map<string, number[]>();
  runs.forEach(({ contender }, i) => {
    const value = (counts[2 * i + 1]! - counts[2 * i]!) / REQUESTS;
    perRequest.set(contender, [...(perRequest.get(contender) ?? []), value]);
  });
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const baseline = mean(perRequest.get('baseline')!);
  console.log('contender           instructions/request  ratio   extra/request  spread');
  for (const contender of CONTENDERS) {
    const values = perRequest.get(contender)!;
    const value = mean(values);
    const spread =
      values.length > 1 ? `${((100 * (Math.max(...values) - Math.min(...values))) / value).toFixed(3)}%` : '-';
    console.log(
      `${contender.padEnd(20)}${Math.round(value).toLocaleString('en-US').padStart(20)}  ${(value / baseline).toFixed(3)}` +
        `${Math.round(value - baseline)
          .toLocaleString('en-US')
          .padStart(15)}  ${spread}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
