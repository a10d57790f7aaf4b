/**
 * The fleet scenario: PROCESSES Node processes of one library start cold at the same moment and
 * send CALLS concurrent calls each; the token server counts the exchanges of the whole fleet.
 * This library shares one RedisTokenStore between the processes; the peers have no shared store.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Redis from 'ioredis';
import type { Contender } from './contenders';
import { startBenchServers } from './servers';

const ROOT = join(__dirname, '..', '..');
/** How long a member may take to start or to finish its burst, in milliseconds. */
const MEMBER_TIMEOUT_MS = 40_000;

export interface FleetResult {
  processes: number;
  callsPerProcess: number;
  succeeded: number;
  failed: number;
  tokenExchanges: number;
}

/** Whether a Redis answers at `url`, within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

interface Member {
  child: ChildProcessWithoutNullStreams;
  next: () => Promise<Record<string, unknown>>;
}

function startMember(contender: Contender, env: Record<string, string>): Member {
  // `--import tsx` runs the script in this one child (the tsx CLI would fork a grandchild a kill misses).
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/peers/fleet-member.ts', contender.id], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    lines.push(JSON.parse(line) as Record<string, unknown>);
    waiters.splice(0).forEach((wake) => wake());
  });
  child.on('exit', () => waiters.splice(0).forEach((wake) => wake()));
  const next = async (): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + MEMBER_TIMEOUT_MS;
    while (lines.length === 0) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`fleet member for ${contender.id} gave no answer (exit ${child.exitCode}): ${stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return lines.shift()!;
  };
  return { child, next };
}

export async function fleet(
  contender: Contender,
  processes: number,
  callsPerProcess: number,
  tokenDelayMs: number,
  redisUrl: string,
): Promise<FleetResult> {
  const servers = await startBenchServers({ tokenDelayMs, expiresInSeconds: 3600 });
  const members: Member[] = [];
  try {
    const env = {
      TOKEN_URL: servers.tokenUrl,
      API_URL: servers.apiUrl,
      CALLS: String(callsPerProcess),
      REDIS_URL: redisUrl,
      KEY_PREFIX: `bench-peers-${randomBytes(6).toString('hex')}:`,
    };
    for (let i = 0; i < processes; i += 1) members.push(startMember(contender, env));
    await Promise.all(members.map((member) => member.next()));
    for (const { child } of members) child.stdin.write('go\n');
    const done = await Promise.all(members.map((member) => member.next()));
    const succeeded = done.reduce((sum, line) => sum + Number(line['ok']), 0);
    return {
      processes,
      callsPerProcess,
      succeeded,
      failed: processes * callsPerProcess - succeeded,
      tokenExchanges: servers.exchanges(),
    };
  } finally {
    for (const { child } of members) if (child.exitCode === null) child.kill('SIGKILL');
    await servers.close();
  }
}
