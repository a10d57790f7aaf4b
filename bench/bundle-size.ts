/**
 * What an application pays to include this package, measured on the built package (dist/, so run
 * `npm run build` first):
 *
 * - bundle size: esbuild bundles a tiny app that imports only `installClientCredentials` (axios
 *   external, as every contender needs it), minified for Node; node:zlib gzips it. Three apps:
 *   `client_secret_basic`, `private_key_jwt` and `client_secret_basic` with DPoP. The largest
 *   packages inside each bundle are listed, so a dependency that should not be there shows.
 * - `require()` time of dist/index.cjs with axios already loaded, median of fresh processes
 *   (a process each, so nothing is cached in memory between samples).
 * - with `--instructions`, the same `require()` in CPU instructions under valgrind's callgrind
 *   (node --single-threaded --predictable, as bench/instructions.ts): a figure the machine's load
 *   does not move, for comparing commits on a shared machine. It is the difference between a
 *   process that requires axios and then the package and one that requires axios only, so Node's
 *   startup cancels out; axios-token-interceptor is counted the same way for scale.
 *
 * Run: npm run build && npm run bench:size [-- --processes 21] [-- --dist other/dist] [-- --instructions]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const ROOT = path.join(__dirname, '..');
const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
};
// `--dist <folder>` measures another build, e.g. an older commit's, built into a folder under the repository.
const DIST = path.resolve(argument('dist') ?? path.join(ROOT, 'dist'));
const DIST_ESM = JSON.stringify(path.join(DIST, 'index.mjs'));
const DIST_CJS = path.join(DIST, 'index.cjs');
const DIST_DPOP = JSON.stringify(path.join(DIST, 'dpop.mjs'));
const PROCESSES = Number(argument('processes') ?? 21);

const app = (options: string, imports = ''): string => `
import axios from 'axios';
import { installClientCredentials } from ${DIST_ESM};${imports}
installClientCredentials(axios.create(), {
  tokenUrl: 'https://auth.example/token',
  clientId: 'app',
  ${options}
});
`;

const APPS: Record<string, string> = {
  client_secret_basic: app(`clientSecret: process.env.CLIENT_SECRET,`),
  private_key_jwt: app(`privateKey: process.env.PRIVATE_KEY,`),
  'client_secret_basic + DPoP': app(
    `clientSecret: process.env.CLIENT_SECRET, dpop: dpop(),`,
    `\nimport { dpop } from ${DIST_DPOP};`,
  ),
};

/** Bytes in the minified output per source package (`this` for dist/). */
function byPackage(metafile: Metafile): [string, number][] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const name = match?.[1] ?? 'this';
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

async function bundle(source: string): Promise<{ minified: number; gzipped: number; parts: [string, number][] }> {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'js', sourcefile: 'app.mjs' },
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    external: ['axios'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { minified: code.byteLength, gzipped: gzipSync(code).byteLength, parts: byPackage(result.metafile) };
}

/** Milliseconds one fresh process spends in `require(dist/index.cjs)` after `require('axios')`. */
function requireTime(): number {
  const script = `require('axios');const t=performance.now();require(${JSON.stringify(DIST_CJS)});console.log(performance.now()-t);`;
  return Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }).trim());
}

const NODE_FLAGS = ['--single-threaded', '--predictable', '--hash-seed=1', '--random-seed=1'];

/** Instructions a fresh process executes requiring axios and then `modules`, from callgrind's "Collected" line. */
function requireInstructions(modules: readonly string[]): number {
  const script = ['axios', ...modules].map((name) => `require(${JSON.stringify(name)});`).join('');
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...NODE_FLAGS, '-e', script];
  const run = spawnSync('valgrind', args, { cwd: ROOT, encoding: 'utf8' });
  const match = /Collected : (\d+)/.exec(run.stderr ?? '');
  if (run.status !== 0 || match === null) {
    throw new Error(`valgrind failed for ${modules.join(', ') || 'axios alone'}: ${(run.stderr ?? '').slice(-500)}`);
  }
  return Number(match[1]);
}

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

async function main(): Promise<void> {
  console.log('app                          minified   min+gzip   largest parts (minified)');
  for (const [name, source] of Object.entries(APPS)) {
    const { minified, gzipped, parts } = await bundle(source);
    const largest = parts
      .slice(0, 4)
      .map(([part, bytes]) => `${part} ${kB(bytes)}`)
      .join(', ');
    console.log(`${name.padEnd(27)}${kB(minified).padStart(10)}${kB(gzipped).padStart(11)}   ${largest}`);
  }
  const samples = Array.from({ length: PROCESSES }, requireTime).sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  console.log(
    `require('dist/index.cjs') with axios loaded: median ${median.toFixed(2)} ms of ${PROCESSES} processes` +
      ` (min ${samples[0]!.toFixed(2)}, max ${samples[samples.length - 1]!.toFixed(2)})`,
  );
  if (process.argv.includes('--instructions')) {
    const axiosAlone = requireInstructions([]);
    const ours = requireInstructions([DIST_CJS]) - axiosAlone;
    const peer = requireInstructions(['axios-token-interceptor']) - axiosAlone;
    const millions = (count: number): string => `${(count / 1e6).toFixed(2)} M`;
    console.log(
      `require() in instructions (callgrind), axios loaded: this ${millions(ours)}, ` +
        `axios-token-interceptor ${millions(peer)} (${(ours / peer).toFixed(1)}x)`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
