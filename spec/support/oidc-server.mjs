// CLI wrapper around oidc-servers.mjs: starts the authorization server, resource
// server and admin API described there, for a parent process that cannot load
// the ESM-only oidc-provider itself (spec/support/oidc.ts does this for jest).
//
// Run as a child process: `node spec/support/oidc-server.mjs`
//
// Environment:
//   OIDC_CLIENTS        JSON array of oidc-provider client metadata objects.
//                       Default: demo-client/demo-secret (client_secret_basic)
//                       and post-client/post-secret (client_secret_post), both
//                       allowed "invoices:read invoices:write reports:read".
//   TOKEN_TTL_SECONDS   access token lifetime (default 3600).
//   OIDC_DPOP           JSON {"requireNonce"?: bool, "apiRequireNonce"?: bool}: DPoP nonces
//                       required by the token endpoint / the resource server (default: none).
//   OIDC_IGNORE_STDIN=1 do not exit when stdin ends (for `node ... < /dev/null &`).
//
// Once listening, exactly one line of JSON is written to stdout:
//   {"issuer":"...","tokenUrl":"...","apiUrl":"...","adminUrl":"..."}
// Nothing else is ever written to stdout (console.log/info go to stderr).
// On a startup failure, "oidc-server: <reason>" goes to stderr and the exit code is 1.
// The process exits on SIGTERM/SIGINT/SIGHUP, when stdin ends and when re-parented.

import { startOidcServers } from './oidc-servers.mjs';

// oidc-provider prints notices with console.info (stdout). Keep stdout clean
// for the single JSON line, and drop its known, expected dev-time noise.
const QUIET = [
  'Unsupported runtime', // oidc-provider 9 wants Node 22 LTS; Node 20 works fine for these tests.
];
const toStderr = (...args) => {
  const text = args.map(String).join(' ');
  if (QUIET.some((q) => text.includes(q))) return;
  process.stderr.write(`${text}\n`);
};
console.log = toStderr;
console.info = toStderr;
console.warn = toStderr;
console.debug = toStderr;

function fatal(message) {
  process.stderr.write(`oidc-server: ${message}\n`);
  process.exit(1);
}

function parsePositiveInt(raw, name) {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) {
    fatal(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function loadClients() {
  const raw = process.env.OIDC_CLIENTS;
  if (!raw) return undefined;
  let parsed;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    fatal(`OIDC_CLIENTS is not valid JSON: ${err.message}`);
  }
  if (!Array.isArray(parsed)) fatal('OIDC_CLIENTS must be a JSON array of client metadata objects');
  return parsed;
}

function loadDPoP() {
  const raw = process.env.OIDC_DPOP;
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch (err) {
    return fatal(`OIDC_DPOP is not valid JSON: ${err.message}`);
  }
}

let servers;
try {
  servers = await startOidcServers({
    clients: loadClients(),
    tokenTtlSeconds: parsePositiveInt(process.env.TOKEN_TTL_SECONDS, 'TOKEN_TTL_SECONDS'),
    dpop: loadDPoP(),
  });
} catch (err) {
  fatal(err?.message ?? String(err));
}

// ---------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------
let shuttingDown = false;
function shutdown(code = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  // close() stops listening and destroys every connection synchronously; there is
  // nothing left worth waiting for.
  void servers.close();
  process.exit(code);
}

process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
process.on('SIGHUP', () => shutdown(0));

// Parent gone: with stdin as a pipe from the parent, EOF means the parent died
// (or closed it on purpose). Skip this for a TTY or when explicitly disabled.
if (!process.stdin.isTTY && process.env.OIDC_IGNORE_STDIN !== '1') {
  process.stdin.on('end', () => shutdown(0));
  process.stdin.on('close', () => shutdown(0));
  process.stdin.on('error', () => shutdown(0));
  process.stdin.resume();
}
// Belt and braces: if we get re-parented (parent died without closing stdin).
const initialPpid = process.ppid;
setInterval(() => {
  if (process.ppid !== initialPpid) shutdown(0);
}, 1000).unref();

const { issuer, tokenUrl, apiUrl, adminUrl } = servers;
process.stdout.write(`${JSON.stringify({ issuer, tokenUrl, apiUrl, adminUrl })}\n`);
