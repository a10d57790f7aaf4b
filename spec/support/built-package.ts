// Builds the package as `npm run build` does (the tsup CLI with tsup.config.ts), CommonJS only and
// without declarations, into a fresh folder under .tmp/, so a spec can run the code users run
// without depending on (or clobbering) dist/. The folder sits inside the repository, so the build's
// `require('axios')` and its runtime dependencies resolve from the repository's node_modules.
// tsup runs in a child process: loaded into jest, its bundled source maps make jest warn.

import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';

export const REPOSITORY = path.join(__dirname, '..', '..');

export interface BuiltPackage {
  /** The folder holding `index.cjs`; scratch files for a consumer may go here too. */
  dir: string;
  /** The absolute path of the CommonJS entry, what `require('axios-client-credentials')` loads. */
  cjsEntry: string;
  /** Deletes the folder. */
  remove(): void;
}

export function buildPackage(): Promise<BuiltPackage> {
  const dir = path.join(REPOSITORY, '.tmp', `built-${process.pid}-${Date.now()}`);
  const cli = path.join(REPOSITORY, 'node_modules', 'tsup', 'dist', 'cli-default.js');
  const args = [cli, 'lib/index.ts', '--out-dir', dir, '--format', 'cjs', '--no-dts', '--silent'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: REPOSITORY, timeout: 50_000 }, (error, _stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`tsup failed: ${error.message}\n${stderr}`));
        return;
      }
      resolve({
        dir,
        cjsEntry: path.join(dir, 'index.cjs'),
        remove: () => rmSync(dir, { recursive: true, force: true }),
      });
    });
  });
}
