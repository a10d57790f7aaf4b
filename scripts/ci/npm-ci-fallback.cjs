'use strict';
// Decides whether a failed `npm ci` may fall back to `npm install` (see .ci/run's install step).
//
//   node scripts/ci/npm-ci-fallback.cjs NPM_CI_LOG [package-lock.json]
//
// Exits 0 ("fall back") only when npm ci refused the lockfile as out of sync AND every line it gave
// as the reason ("Missing: NAME@VERSION from lock file", "Missing: NAME@ from lock file" when the
// registry has no such package, "Invalid: lock file's NAME@VERSION does not satisfy …") names an
// optional package whose lockfile entry is restricted by `os`, `cpu` or `libc` to another platform
// than this one: a registry mirror that lacks some other platform's binaries produces exactly
// those. Anything else, including a package this platform installs, a non-optional package or a
// package the lockfile has no entry for, exits 1 with the reason: the lockfile is really out of sync.
// Plain CommonJS without dependencies: it runs before `npm ci` has installed anything.

const fs = require('node:fs');

const OUT_OF_SYNC = 'can only install packages when your package.json and package-lock.json';
const REASON = /^npm (?:error|ERR!) (Missing|Invalid): (.*)$/;
const MISSING = /^((?:@[^@/\s]+\/)?[^@\s]+)@(\S*) from lock file$/;
const INVALID = /^lock file's ((?:@[^@/\s]+\/)?[^@\s]+)@(\S+) does not satisfy \S+$/;

/**
 * This machine's platform in the terms of a lockfile entry's `os`, `cpu` and `libc` fields.
 * @returns {{ os: string, cpu: string, libc: string | undefined }}
 */
function currentPlatform() {
  let libc;
  if (process.platform === 'linux') {
    // As npm-install-checks decides it: a glibc runtime version in the process report, else musl.
    const header = /** @type {{ glibcVersionRuntime?: string }} */ (process.report.getReport().header);
    libc = header.glibcVersionRuntime ? 'glibc' : 'musl';
  }
  return { os: process.platform, cpu: process.arch, libc };
}

/**
 * npm's rule for `os`/`cpu`/`libc` lists: a "!value" entry excludes that value; when any entry is
 * positive, the value must be one of them.
 * @param {string | undefined} value
 * @param {unknown} list
 */
function allows(value, list) {
  if (!Array.isArray(list) || list.length === 0) return true;
  if (value === undefined) return false;
  if (list.includes(`!${value}`)) return false;
  const positives = list.filter((entry) => !String(entry).startsWith('!'));
  return positives.length === 0 || positives.includes(value);
}

/**
 * Why one reason line may not be accepted, or `undefined` when it may.
 * @param {string} kind "Missing" or "Invalid"
 * @param {string} text the line after "Missing: " or "Invalid: "
 * @param {Record<string, any>} packages the lockfile's `packages`
 * @param {{ os: string, cpu: string, libc: string | undefined }} platform
 */
function refusal(kind, text, packages, platform) {
  const match = (kind === 'Missing' ? MISSING : INVALID).exec(text);
  if (!match) return `unrecognised ${kind} line`;
  const [, name, version] = match;
  const entries = Object.entries(packages).filter(
    ([path, entry]) =>
      (path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`)) &&
      (version === '' || entry.version === version),
  );
  if (entries.length === 0) return `${name}@${version} has no entry in the lockfile, so its platform is unknown`;
  for (const [path, entry] of entries) {
    if (entry.optional !== true) return `${path} is not optional`;
    const elsewhere = !allows(platform.os, entry.os) || !allows(platform.cpu, entry.cpu);
    // libc applies on Linux only (npm ignores it elsewhere).
    const otherLibc = platform.libc !== undefined && !allows(platform.libc, entry.libc);
    if (!elsewhere && !otherLibc) {
      return `${path} is for this platform (${platform.os} ${platform.cpu}${platform.libc ? ` ${platform.libc}` : ''})`;
    }
  }
  return undefined;
}

/**
 * @param {{ log: string, lockfile: { packages?: Record<string, any> }, platform?: ReturnType<typeof currentPlatform> }} input
 * @returns {{ fallBack: boolean, reasons: string[] }} `reasons`: one line per refused npm line
 */
function decide({ log, lockfile, platform = currentPlatform() }) {
  if (!log.includes(OUT_OF_SYNC))
    return { fallBack: false, reasons: ['npm ci did not fail on an out-of-sync lockfile'] };
  const packages = lockfile.packages ?? {};
  const reasons = [];
  let lines = 0;
  for (const line of log.split(/\r?\n/)) {
    const match = REASON.exec(line.trimEnd());
    if (!match) continue;
    lines += 1;
    const why = refusal(match[1], match[2], packages, platform);
    if (why !== undefined) reasons.push(`${match[1]}: ${match[2]} (${why})`);
  }
  if (lines === 0) reasons.push('npm ci named no Missing or Invalid package');
  return { fallBack: reasons.length === 0, reasons };
}

if (require.main === module) {
  const [logFile, lockFile = 'package-lock.json'] = process.argv.slice(2);
  if (!logFile) {
    console.error('usage: node scripts/ci/npm-ci-fallback.cjs NPM_CI_LOG [package-lock.json]');
    process.exit(2);
  }
  const { fallBack, reasons } = decide({
    log: fs.readFileSync(logFile, 'utf8'),
    lockfile: JSON.parse(fs.readFileSync(lockFile, 'utf8')),
  });
  if (fallBack) {
    console.log('npm-ci-fallback: npm ci refused only optional packages of other platforms');
  } else {
    console.error('npm-ci-fallback: the lockfile is out of sync with package.json:');
    for (const reason of reasons) console.error(`  ${reason}`);
    process.exitCode = 1;
  }
}

module.exports = { allows, currentPlatform, decide };
