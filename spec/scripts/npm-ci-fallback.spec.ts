import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { allows, decide } from '../../scripts/ci/npm-ci-fallback.cjs';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'ci', 'npm-ci-fallback.cjs');
const LINUX_GLIBC = { os: 'linux', cpu: 'x64', libc: 'glibc' };
const LINUX_MUSL = { os: 'linux', cpu: 'x64', libc: 'musl' };

/** npm 11's `npm ci` output for a lockfile it refuses, with these reason lines (as npm prints them). */
function npmCiLog(...reasons: string[]): string {
  return [
    'npm error code EUSAGE',
    'npm error',
    'npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.',
    'npm error',
    ...reasons.map((reason) => `npm error ${reason}`),
    'npm error',
    'npm error Clean install a project',
    'npm error',
    'npm error Usage:',
    'npm error npm ci',
    'npm error A complete log of this run can be found in: /root/.npm/_logs/2026-12-01T20_31_44_712Z-debug-0.log',
    '',
  ].join('\n');
}

/** Entries copied from package-lock.json (integrity hashes left out: the script does not read them). */
const lockfile = {
  name: 'axios-client-credentials',
  lockfileVersion: 3,
  packages: {
    'node_modules/@rollup/rollup-android-arm-eabi': {
      version: '4.68.7',
      cpu: ['arm'],
      dev: true,
      license: 'MIT',
      optional: true,
      os: ['android'],
    },
    'node_modules/@rollup/rollup-linux-x64-gnu': {
      version: '4.68.7',
      cpu: ['x64'],
      dev: true,
      libc: ['glibc'],
      license: 'MIT',
      optional: true,
      os: ['linux'],
    },
    'node_modules/@unrs/resolver-binding-linux-x64-musl': {
      version: '1.13.0',
      cpu: ['x64'],
      dev: true,
      libc: ['musl'],
      license: 'MIT',
      optional: true,
      os: ['linux'],
    },
    'node_modules/fsevents': { version: '2.3.3', dev: true, optional: true, os: ['darwin'] },
    'node_modules/not-on-windows': { version: '1.0.0', optional: true, os: ['!win32'] },
    'node_modules/debug': { version: '4.4.3', license: 'MIT' },
    // A package pinned to another platform but not optional: npm ci would fail there too.
    'node_modules/darwin-only': { version: '1.0.0', os: ['darwin'] },
  },
};

describe('npm-ci-fallback decide()', () => {
  it('accepts "Missing: NAME@VERSION from lock file" for an optional package of another platform', () => {
    const log = npmCiLog('Missing: @rollup/rollup-android-arm-eabi@4.68.7 from lock file');
    expect(decide({ log, lockfile, platform: LINUX_GLIBC })).toEqual({ fallBack: true, reasons: [] });
  });

  it('accepts "Missing: NAME@ from lock file", the form without a version', () => {
    const log = npmCiLog(
      'Missing: @rollup/rollup-android-arm-eabi@ from lock file',
      'Missing: fsevents@ from lock file',
    );
    expect(decide({ log, lockfile, platform: LINUX_GLIBC })).toEqual({ fallBack: true, reasons: [] });
  });

  it('accepts an "Invalid:" line whose lockfile entry is an optional package of another platform', () => {
    const log = npmCiLog("Invalid: lock file's fsevents@2.3.3 does not satisfy fsevents@2.3.2");
    expect(decide({ log, lockfile, platform: LINUX_GLIBC })).toEqual({ fallBack: true, reasons: [] });
  });

  it('treats a musl-only package as another platform on glibc Linux, and as this one on musl', () => {
    const log = npmCiLog('Missing: @unrs/resolver-binding-linux-x64-musl@1.13.0 from lock file');
    expect(decide({ log, lockfile, platform: LINUX_GLIBC })).toEqual({ fallBack: true, reasons: [] });
    expect(decide({ log, lockfile, platform: LINUX_MUSL })).toEqual({
      fallBack: false,
      reasons: [
        'Missing: @unrs/resolver-binding-linux-x64-musl@1.13.0 from lock file (node_modules/@unrs/resolver-binding-linux-x64-musl is for this platform (linux x64 musl))',
      ],
    });
  });

  it('refuses an optional package of this platform, even beside accepted ones', () => {
    const log = npmCiLog(
      'Missing: @rollup/rollup-android-arm-eabi@4.68.7 from lock file',
      'Missing: @rollup/rollup-linux-x64-gnu@4.68.7 from lock file',
    );
    expect(decide({ log, lockfile, platform: LINUX_GLIBC })).toEqual({
      fallBack: false,
      reasons: [
        'Missing: @rollup/rollup-linux-x64-gnu@4.68.7 from lock file (node_modules/@rollup/rollup-linux-x64-gnu is for this platform (linux x64 glibc))',
      ],
    });
  });

  it('refuses a negated os list that includes this platform', () => {
    const log = npmCiLog('Missing: not-on-windows@1.0.0 from lock file');
    expect(decide({ log, lockfile, platform: LINUX_GLIBC }).fallBack).toBe(false);
    expect(decide({ log, lockfile, platform: { os: 'win32', cpu: 'x64', libc: undefined } }).fallBack).toBe(true);
  });

  it('refuses a package that is not optional, even when pinned to another platform', () => {
    const log = npmCiLog('Missing: darwin-only@1.0.0 from lock file', 'Missing: debug@4.4.3 from lock file');
    expect(decide({ log, lockfile, platform: LINUX_GLIBC })).toEqual({
      fallBack: false,
      reasons: [
        'Missing: darwin-only@1.0.0 from lock file (node_modules/darwin-only is not optional)',
        'Missing: debug@4.4.3 from lock file (node_modules/debug is not optional)',
      ],
    });
  });

  it('refuses a lockfile really out of sync with package.json (npm 11 output, verbatim)', () => {
    // package.json asks for ms@2.1.2 and debug@4.4.3; the lockfile was written for ms@2.1.3 alone.
    const log = npmCiLog(
      'Missing: debug@4.4.3 from lock file',
      "Invalid: lock file's ms@2.1.3 does not satisfy ms@2.1.2",
      'Missing: ms@2.1.3 from lock file',
    );
    const outOfSync = { packages: { '': { dependencies: { ms: '2.1.3' } }, 'node_modules/ms': { version: '2.1.3' } } };
    expect(decide({ log, lockfile: outOfSync, platform: LINUX_GLIBC })).toEqual({
      fallBack: false,
      reasons: [
        'Missing: debug@4.4.3 from lock file (debug@4.4.3 has no entry in the lockfile, so its platform is unknown)',
        "Invalid: lock file's ms@2.1.3 does not satisfy ms@2.1.2 (node_modules/ms is not optional)",
        'Missing: ms@2.1.3 from lock file (node_modules/ms is not optional)',
      ],
    });
  });

  it('refuses a missing package of another version than the lockfile entry', () => {
    const log = npmCiLog('Missing: @rollup/rollup-android-arm-eabi@4.70.0 from lock file');
    expect(decide({ log, lockfile, platform: LINUX_GLIBC }).reasons).toEqual([
      'Missing: @rollup/rollup-android-arm-eabi@4.70.0 from lock file (@rollup/rollup-android-arm-eabi@4.70.0 has no entry in the lockfile, so its platform is unknown)',
    ]);
  });

  it('refuses a failure that is not an out-of-sync lockfile, and one that names no package', () => {
    expect(decide({ log: 'npm error code ETIMEDOUT\nnpm error network request failed\n', lockfile })).toEqual({
      fallBack: false,
      reasons: ['npm ci did not fail on an out-of-sync lockfile'],
    });
    expect(decide({ log: npmCiLog(), lockfile, platform: LINUX_GLIBC })).toEqual({
      fallBack: false,
      reasons: ['npm ci named no Missing or Invalid package'],
    });
  });

  it('refuses a reason line it does not recognise', () => {
    const log = npmCiLog('Missing: something else entirely');
    expect(decide({ log, lockfile, platform: LINUX_GLIBC }).reasons).toEqual([
      'Missing: something else entirely (unrecognised Missing line)',
    ]);
  });
});

describe('npm-ci-fallback allows()', () => {
  it("follows npm's os/cpu rule: positives must include the value, negations exclude it", () => {
    expect(allows('linux', undefined)).toBe(true);
    expect(allows('linux', [])).toBe(true);
    expect(allows('linux', ['linux', 'darwin'])).toBe(true);
    expect(allows('linux', ['darwin'])).toBe(false);
    expect(allows('linux', ['!win32'])).toBe(true);
    expect(allows('win32', ['!win32'])).toBe(false);
    expect(allows(undefined, ['glibc'])).toBe(false);
  });
});

describe('node scripts/ci/npm-ci-fallback.cjs LOG LOCKFILE', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'npm-ci-fallback-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (log: string): ReturnType<typeof spawnSync> => {
    writeFileSync(path.join(dir, 'npm-ci.log'), log);
    // The project's real lockfile: it lists every platform's optional packages.
    const lock = path.join(__dirname, '..', '..', 'package-lock.json');
    return spawnSync(process.execPath, [SCRIPT, path.join(dir, 'npm-ci.log'), lock], { encoding: 'utf8' });
  };

  it("exits 0 for another platform's optional package of the project's lockfile", () => {
    const result = run(npmCiLog('Missing: @rollup/rollup-android-arm-eabi@4.68.7 from lock file'));
    expect({ status: result.status, stdout: result.stdout }).toEqual({
      status: 0,
      stdout: 'npm-ci-fallback: npm ci refused only optional packages of other platforms\n',
    });
  });

  it('exits 1 and names the package for a dependency the lockfile lacks', () => {
    const result = run(npmCiLog('Missing: left-pad@1.3.0 from lock file'));
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 1,
      stderr:
        'npm-ci-fallback: the lockfile is out of sync with package.json:\n' +
        '  Missing: left-pad@1.3.0 from lock file (left-pad@1.3.0 has no entry in the lockfile, so its platform is unknown)\n',
    });
  });
});
