// Starts a fleet of Node processes running spec/fixtures/fleet-member.ts, for
// spec/integration/fleet.spec.ts and bench/fleet.ts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { RedisTokenStoreEvent } from '../../lib/stores/redis';
import { bundledScript } from './child-process';
import { json, startLoopbackServer } from './loopback';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = 'spec/fixtures/fleet-member.ts';

/** What one process printed after a burst. */
export interface BurstResult {
  ok: number;
  failed: number;
  /** The distinct access tokens the API saw from this process. */
  tokens: string[];
  elapsedMs: number;
  firstFailure?: string;
  /** How many calls failed with each error `code` (`no code` for an error without one). */
  failures: Record<string, number>;
  /** The store's onError events during the burst. */
  events: RedisTokenStoreEvent[];
  /** The installations' own `store_error` events (the token manager's store bounds), as "operation: name code". */
  storeErrors: string[];
}

/** What one process printed after "traffic". */
export interface TrafficResult {
  ok: number;
  failed: number;
  slowestMs: number;
  firstFailure?: string;
  events: RedisTokenStoreEvent[];
}

export interface Fleet {
  /** The process ids, in process order. */
  pids: number[];
  /** Sends "burst" to every process at once; answers each one's result, in process order. */
  burst(): Promise<BurstResult[]>;
  /** Sends "burst" to every process at once; each one's result settles alone (a killed process rejects). */
  burstEach(): Array<Promise<BurstResult>>;
  /** Sends "traffic <ms>" to every process; answers each one's result, in process order. */
  traffic(durationMs: number): Promise<TrafficResult[]>;
  /** SIGKILLs the process with this pid. */
  kill(pid: number): void;
  /** Asks every process to exit and waits for it; kills what has not exited after `graceMs`. */
  close(graceMs?: number): Promise<Array<number | string>>;
}

interface Member {
  child: ChildProcessWithoutNullStreams;
  next(): Promise<Record<string, unknown>>;
  output: () => string;
}

function startMember(env: Record<string, string>, timeoutMs: number): Member {
  const child = spawn(process.execPath, [bundledScript(FIXTURE)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => {}); // a killed process's stdin
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<(line: Record<string, unknown>) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      parsed = { type: 'noise', line };
    }
    if (parsed['type'] === 'noise') return;
    const resolve = waiting.shift();
    if (resolve) resolve(parsed);
    else queue.push(parsed);
  });
  const next = (): Promise<Record<string, unknown>> => {
    const queued = queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fleet member ${child.pid} said nothing for ${timeoutMs} ms; stderr: ${stderr}`)),
        timeoutMs,
      );
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`fleet member ${child.pid} exited (${code}); stderr: ${stderr}`));
      };
      child.once('exit', onExit);
      waiting.push((line) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(line);
      });
    });
  };
  return { child, next, output: () => stderr };
}

/**
 * Starts `size` processes with `env` and waits until each has said it is ready.
 *
 * @param timeoutMs How long any one process may stay silent, in milliseconds. Default is 30000.
 */
export async function startFleet(size: number, env: Record<string, string>, timeoutMs = 30_000): Promise<Fleet> {
  const members = Array.from({ length: size }, () => startMember(env, timeoutMs));
  const close = async (graceMs = 10_000): Promise<Array<number | string>> =>
    Promise.all(
      members.map(
        ({ child }) =>
          new Promise<number | string>((resolve) => {
            if (child.exitCode !== null) return resolve(child.exitCode);
            if (child.signalCode !== null) return resolve(child.signalCode);
            const timer = setTimeout(() => {
              child.kill('SIGKILL');
              resolve(`killed: still running ${graceMs} ms after "exit"`);
            }, graceMs);
            child.once('exit', (code) => {
              clearTimeout(timer);
              resolve(code ?? -1);
            });
            child.stdin.end('exit\n');
          }),
      ),
    );
  try {
    await Promise.all(members.map((member) => member.next()));
  } catch (error) {
    await close(0);
    throw error;
  }
  return {
    pids: members.map(({ child }) => child.pid!),
    burstEach: () => {
      for (const { child } of members) child.stdin.write('burst\n');
      return members.map((member) => member.next().then((line) => line as unknown as BurstResult));
    },
    traffic: async (durationMs) => {
      for (const { child } of members) child.stdin.write(`traffic ${durationMs}\n`);
      const lines = await Promise.all(members.map((member) => member.next()));
      return lines.map((line) => line as unknown as TrafficResult);
    },
    kill: (pid) => {
      members.find(({ child }) => child.pid === pid)?.child.kill('SIGKILL');
    },
    burst: async () => {
      for (const { child } of members) child.stdin.write('burst\n');
      const lines = await Promise.all(members.map((member) => member.next()));
      return lines.map((line) => line as unknown as BurstResult);
    },
    close,
  };
}

/** A token endpoint that answers after `delayMs` and records which process asked (`x-fleet-pid`). */
export async function startCountingTokenServer(options: { delayMs: number; expiresIn?: number }) {
  const issued: string[] = [];
  const askedBy: number[] = [];
  const asked: Array<(pid: number) => void> = [];
  const server = await startLoopbackServer(async (req, res) => {
    const pid = Number(req.headers['x-fleet-pid']);
    askedBy.push(pid);
    for (const notify of asked.splice(0)) notify(pid);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const token = `token-${issued.length + 1}`;
    issued.push(token);
    json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: options.expiresIn ?? 3600 });
  });
  return Object.assign(server, {
    issued,
    askedBy,
    tokenUrl: `${server.origin}/oauth/token`,
    /** The pid of the next process that asks. */
    nextAsker: () => new Promise<number>((resolve) => asked.push(resolve)),
  });
}
