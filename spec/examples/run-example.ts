import { spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TSX_CLI = path.join(ROOT, 'node_modules', '.bin', 'tsx');
export const EXAMPLE_TIMEOUT_MS = 60_000;

export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an example file (relative to the repository root) with tsx as a user would, with this
 * process's environment plus `env`, less the `unset` variables that `env` does not give.
 */
export function runExample(
  file: string,
  { env = {}, unset = [] }: { env?: Record<string, string>; unset?: readonly string[] } = {},
): Promise<ExampleRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const variable of unset) if (!(variable in env)) delete childEnv[variable];
  delete childEnv['NODE_OPTIONS']; // ts-jest or debugger loaders from this process
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX_CLI, file], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // An example that does not exit by itself is a failure too (a server or socket left open).
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not exit within ${EXAMPLE_TIMEOUT_MS} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, EXAMPLE_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
