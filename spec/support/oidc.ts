// Starts spec/support/oidc-server.mjs (a real oidc-provider authorization server,
// a protected resource server and an admin API on loopback) as a child process.
//
// oidc-provider is ESM-only and jest runs specs as CommonJS, so it lives in a
// separate Node process; this helper talks to it over HTTP only (node:http, not
// axios: axios instances under test are intercepted).
//
//   const server = await startOidcServer();
//   // server.tokenUrl  -> POST grant_type=client_credentials here
//   // server.apiUrl    -> resource server (no trailing slash), Bearer token required
//   await server.stats(); await server.reset(); await server.revokeAll();
//   await server.close();
//
// Default clients: demo-client/demo-secret (client_secret_basic) and
// post-client/post-secret (client_secret_post), scopes
// "invoices:read invoices:write reports:read".

import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';

export interface OidcStats {
  tokenRequests: number;
  tokenSuccesses: number;
  tokenFailures: number;
  apiRequests: number;
  apiUnauthorized: number;
}

export interface OidcServer {
  /** `http://127.0.0.1:<port>` of the authorization server. */
  issuer: string;
  /** The provider's token endpoint (`${issuer}/token`). */
  tokenUrl: string;
  /** Resource server base URL, without trailing slash. Also a valid RFC 8707 `resource` (with or without `/`). */
  apiUrl: string;
  /** Admin API base (`http://127.0.0.1:<port>/__admin`); no auth. */
  adminUrl: string;
  stats(): Promise<OidcStats>;
  /** GETs of `/.well-known/*` (authorization server metadata); zeroed by reset() too. */
  discoveryStats(): Promise<{ metadataRequests: number }>;
  /** The resource server's DPoP counters (see oidc-servers.mjs); zeroed by reset() too, but `distinctJti`. */
  dpopStats(): Promise<DPoPStats>;
  reset(): Promise<void>;
  /** Destroys every access token issued so far; the API answers 401 to them afterwards. */
  revokeAll(): Promise<void>;
  /** Kills the child process and waits for it to exit. Idempotent. */
  close(): Promise<void>;
}

export interface DPoPStats {
  proofs: number;
  distinctJti: number;
  nonceChallenges: number;
  rejected: number;
}

export interface StartOidcServerOptions {
  /** oidc-provider client metadata objects (replaces the default clients). */
  clients?: object[];
  /** Access token lifetime in seconds (default 3600). */
  tokenTtlSeconds?: number;
  /** DPoP nonces required by the token endpoint and/or the resource server (default: none). */
  dpop?: { requireNonce?: boolean; apiRequireNonce?: boolean };
}

interface Endpoints {
  issuer: string;
  tokenUrl: string;
  apiUrl: string;
  adminUrl: string;
}

const STARTUP_TIMEOUT_MS = 20_000;
const KILL_GRACE_MS = 3_000;
const MAX_STDERR_CHARS = 20_000;

export const SERVER_SCRIPT = path.join(__dirname, 'oidc-server.mjs');

/**
 * oidc-provider metadata of a client credentials client: `method` is its
 * `token_endpoint_auth_method`, `scope` what it may ask for, `extra` its credentials (a
 * `client_secret`, `jwks`, …).
 */
export function oidcClient(client_id: string, method: string, scope: string, extra: object = {}): object {
  return {
    client_id,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: method,
    scope,
    ...extra,
  };
}

export async function startOidcServer(opts: StartOidcServerOptions = {}): Promise<OidcServer> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS']; // e.g. ts-node/tsx loaders or debuggers from the parent
  delete env['OIDC_IGNORE_STDIN'];
  if (opts.clients !== undefined) env['OIDC_CLIENTS'] = JSON.stringify(opts.clients);
  else delete env['OIDC_CLIENTS'];
  if (opts.tokenTtlSeconds !== undefined) env['TOKEN_TTL_SECONDS'] = String(opts.tokenTtlSeconds);
  else delete env['TOKEN_TTL_SECONDS'];
  if (opts.dpop !== undefined) env['OIDC_DPOP'] = JSON.stringify(opts.dpop);
  else delete env['OIDC_DPOP'];

  const child = spawn(process.execPath, [SERVER_SCRIPT], {
    env,
    // stdin is a pipe on purpose: the server exits when it closes (i.e. when
    // this process dies), so a killed test runner never leaves an orphan.
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < MAX_STDERR_CHARS) stderr += chunk;
  });
  child.stdin?.on('error', () => {}); // EPIPE if the child dies first

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  let endpoints: Endpoints;
  try {
    endpoints = await readFirstLine(child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }

  // Keep draining stdout (it should stay silent) so a full pipe never blocks the child.
  child.stdout?.resume();

  // Do not keep the parent's event loop (jest, tsx demo) alive because of the child.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // Re-ref while waiting, or a parent with nothing else pending could exit
        // before 'exit' fires and silently skip the code after `await close()`.
        child.ref();
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
    })();
    return closing;
  };

  const admin = async (method: 'GET' | 'POST', name: string): Promise<string> => {
    const { status, body } = await request(method, `${endpoints.adminUrl}/${name}`);
    if (status < 200 || status >= 300) {
      throw new Error(`oidc admin ${method} ${name} failed: HTTP ${status} ${body}`);
    }
    return body;
  };

  return {
    ...endpoints,
    stats: async () => JSON.parse(await admin('GET', 'stats')) as OidcStats,
    discoveryStats: async () => JSON.parse(await admin('GET', 'discovery-stats')) as { metadataRequests: number },
    dpopStats: async () => JSON.parse(await admin('GET', 'dpop-stats')) as DPoPStats,
    reset: async () => {
      await admin('POST', 'reset');
    },
    revokeAll: async () => {
      await admin('POST', 'revoke-all');
    },
    close,
  };
}

function readFirstLine(child: ChildProcess, getStderr: () => string): Promise<Endpoints> {
  return new Promise<Endpoints>((resolve, reject) => {
    const stdout = child.stdout;
    if (!stdout) {
      reject(new Error('oidc-server: child has no stdout'));
      return;
    }
    let buffer = '';

    const fail = (reason: string): void => {
      cleanup();
      const err = getStderr().trim();
      reject(
        new Error(
          `oidc-server (${SERVER_SCRIPT}) failed to start: ${reason}` +
            (buffer ? `\nstdout: ${buffer.trim()}` : '') +
            (err ? `\nstderr:\n${err}` : ''),
        ),
      );
    };
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl === -1) return;
      const line = buffer.slice(0, nl).trim();
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        fail(`first stdout line is not JSON: ${line}`);
        return;
      }
      if (!isEndpoints(parsed)) {
        fail(`first stdout line lacks issuer/tokenUrl/apiUrl/adminUrl: ${line}`);
        return;
      }
      cleanup();
      resolve(parsed);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      // Give stderr a moment to flush before reporting.
      setTimeout(() => fail(`exited early (code ${code}, signal ${signal})`), 50);
    };
    const onError = (e: Error): void => fail(`spawn error: ${e.message}`);
    const timer = setTimeout(() => fail(`no startup line within ${STARTUP_TIMEOUT_MS} ms`), STARTUP_TIMEOUT_MS);

    function cleanup(): void {
      clearTimeout(timer);
      stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    }

    stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function isEndpoints(value: unknown): value is Endpoints {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['issuer', 'tokenUrl', 'apiUrl', 'adminUrl'].every((k) => typeof v[k] === 'string');
}

function request(method: string, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: { 'content-length': '0' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`oidc admin request timed out: ${method} ${url}`)));
    req.on('error', reject);
    req.end();
  });
}
