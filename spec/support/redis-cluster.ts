// A throwaway three-master Redis Cluster on loopback for the specs that need one: started by the
// spec that uses it (so `npm test` alone works) and stopped after it. Ports are free ephemeral
// ports picked at start (and one cluster bus port each, set with `cluster-port`, Redis 7+).
//
// Outside CI a machine without redis-server/redis-cli skips those specs with a printed reason;
// under CI=true a cluster that cannot start fails them: a skipped proof is no proof.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { closedPort } from './redis';

function missingTools(): string | undefined {
  for (const tool of ['redis-server', 'redis-cli']) {
    const found = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (found.status !== 0) return `${tool} not found`;
  }
  return undefined;
}

const problem = missingTools();
const skip = problem !== undefined && process.env['CI'] !== 'true';
if (skip) {
  console.warn(`Redis Cluster specs skipped: ${problem}. Install redis-server and redis-cli (Redis 7).`);
}

/** `describe` when a cluster can be started here (or under CI=true, where it must), else `describe.skip`. */
export const describeWithRedisCluster: jest.Describe = skip ? describe.skip : describe;

export interface LocalCluster {
  /** The three masters' ports on 127.0.0.1. */
  ports: number[];
  stop(): Promise<void>;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`Redis Cluster: ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts three `redis-server --cluster-enabled yes` and joins them with `redis-cli --cluster create`. */
export async function startCluster(): Promise<LocalCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'acc-cluster-'));
  const ports: number[] = [];
  const servers: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (server.exitCode !== null || server.signalCode !== null) return resolve();
            server.once('exit', () => resolve());
            server.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i += 1) {
      const [port, bus] = [await closedPort(), await closedPort()];
      ports.push(port);
      const args = ['--port', port, '--cluster-port', bus, '--bind', '127.0.0.1', '--cluster-enabled', 'yes'];
      const files = ['--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--dir', dir];
      const server = spawn('redis-server', [...args.map(String), ...files, '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      servers.push(server);
    }
    const answers = (port: number, ...command: string[]) =>
      spawnSync('redis-cli', ['-p', String(port), ...command], { encoding: 'utf8' }).stdout ?? '';
    await waitFor(() => ports.every((port) => answers(port, 'ping').trim() === 'PONG'), 'servers did not answer');
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await waitFor(
      () => ports.every((port) => answers(port, 'cluster', 'info').includes('cluster_state:ok')),
      'cluster_state did not become ok',
    );
    return { ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
