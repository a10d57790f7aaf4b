// Runs spec/fixtures scripts as real Node processes, for the specs that prove a process exits by
// itself (spec/integration/lifecycle.spec.ts, deadlines.spec.ts) and for the fleet
// (spec/support/redis-fleet.ts).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');
// Under node_modules, so a bundle's require() of axios, ioredis and redis finds them.
const BUNDLES = path.join(ROOT, 'node_modules', '.cache', 'spec-fixtures');

const bundled = new Map<string, string>();

/**
 * The fixture at `fixture` (relative to the repository) as one CommonJS file that node runs
 * directly: lib bundled in, packages left to node_modules. Built once per spec file and named by
 * its content, so an unchanged fixture is written once. Compiling TypeScript with `--import tsx`
 * instead cost each process about 0.4 s of CPU, and a fleet starts 4 to 6 at once on 2 cores.
 * Node runs the file itself: a CLI such as tsx's would fork a grandchild that a kill misses.
 */
export function bundledScript(fixture: string): string {
  const known = bundled.get(fixture);
  if (known !== undefined) return known;
  const [output] = buildSync({
    entryPoints: [path.join(ROOT, fixture)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'warning',
  }).outputFiles;
  const hash = createHash('sha256').update(output!.contents).digest('hex').slice(0, 16);
  const file = path.join(BUNDLES, `${path.basename(fixture, '.ts')}-${hash}.cjs`);
  if (!existsSync(file)) {
    mkdirSync(BUNDLES, { recursive: true });
    // Renamed into place: another spec file's process may be writing the same bundle.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, output!.contents);
    renameSync(partial, file);
  }
  bundled.set(fixture, file);
  return file;
}

/** How a script run ended: its exit code (or why it was killed) and what it printed on stdout and stderr. */
export interface ScriptRun {
  exitCode: number | string;
  output: string;
}

/**
 * Runs `fixture` with `env` added to this process's environment and waits for it to exit by
 * itself; kills it after `timeoutMs` (default 20000, 20 seconds) and says so in `exitCode`.
 */
export function runScript(fixture: string, env: Record<string, string>, timeoutMs = 20_000): Promise<ScriptRun> {
  const child = spawn(process.execPath, [bundledScript(fixture)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ exitCode: `still running after ${timeoutMs / 1000} s`, output: output.trim() });
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, output: output.trim() });
    });
  });
}
