// The newcomer demo: `npm run demo`.
//
// With no environment variables it starts a real OAuth 2.0 authorization server (oidc-provider)
// and a protected API on loopback in this process, fires a burst of concurrent requests through
// installClientCredentials() and shows that they shared one token exchange; then it revokes every
// token on the server and shows that the 401s are recovered with one renewal.
//
// Against your own provider, set TOKEN_URL, CLIENT_ID, CLIENT_SECRET and API_URL (optionally
// SCOPE, space-separated, and API_PATH, default "/"):
//
//   TOKEN_URL=https://auth.example.com/oauth/token CLIENT_ID=... CLIENT_SECRET=... \
//   API_URL=https://api.example.com SCOPE="invoices:read" API_PATH=/invoices npm run demo
//
// The exit code is 1 when any request failed.

import axios, { type AxiosInstance } from 'axios';
import { ClientCredentialsError, installClientCredentials, type ClientCredentialsHandle } from '../lib';
import type { OidcServers } from '../spec/support/oidc-servers.mjs';

const BURST = 1000;
const BURST_AFTER_REVOCATION = 300;
const REQUIRED_VARS = ['TOKEN_URL', 'CLIENT_ID', 'CLIENT_SECRET', 'API_URL'] as const;
const OPTIONAL_VARS = ['SCOPE', 'API_PATH'] as const;
type RequiredVar = (typeof REQUIRED_VARS)[number];

interface Burst {
  requests: number;
  failures: number;
  seconds: number;
  /** Failure descriptions with how often each occurred. */
  reasons: Map<string, number>;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The token's first characters only: it is a bearer credential. */
const mask = (token: string): string => `${token.slice(0, Math.min(6, Math.floor(token.length / 2)))}…`;

function describe(reason: unknown): string {
  if (reason instanceof ClientCredentialsError) return `${reason.name} ${reason.code}: ${reason.message}`;
  if (axios.isAxiosError(reason)) {
    return reason.response ? `HTTP ${reason.response.status}` : `${reason.code ?? 'network error'}: ${reason.message}`;
  }
  return String(reason);
}

async function burst(api: AxiosInstance, path: string, requests: number): Promise<Burst> {
  const started = performance.now();
  const results = await Promise.allSettled(Array.from({ length: requests }, () => api.get(path)));
  const seconds = (performance.now() - started) / 1000;
  const reasons = new Map<string, number>();
  for (const result of results) {
    if (result.status === 'rejected') {
      const reason = describe(result.reason);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  const failures = results.filter((result) => result.status === 'rejected').length;
  return { requests, failures, seconds, reasons };
}

/** "1000 requests, 1 token exchange, 0 failures, 0.8 s", without the exchanges when unknown. */
function summary(result: Burst, exchanges?: string): string {
  const parts = [plural(result.requests, 'request'), exchanges, plural(result.failures, 'failure')];
  return `${parts.filter(Boolean).join(', ')}, ${result.seconds.toFixed(1)} s`;
}

function printFailures(result: Burst): void {
  for (const [reason, count] of result.reasons) console.log(`  ${count} × ${reason}`);
  if (result.failures > 0) process.exitCode = 1;
}

/** A `tokenClient` that counts the plugin's token requests. */
function countingTokenClient(): { tokenClient: AxiosInstance; tokenRequests: () => number } {
  const tokenClient = axios.create();
  let count = 0;
  tokenClient.interceptors.request.use((config) => {
    count += 1;
    return config;
  });
  return { tokenClient, tokenRequests: () => count };
}

async function tokenLine(auth: ClientCredentialsHandle): Promise<string> {
  try {
    const token = await auth.getToken();
    const minutes = Math.round((token.expiresAt - Date.now()) / 60_000);
    const expiry = `expires ${new Date(token.expiresAt).toISOString()}, in ${plural(minutes, 'minute')}`;
    const scope = token.scope ? `, scope "${token.scope}"` : '';
    return `token: ${token.tokenType} ${mask(token.accessToken)} (${expiry}${scope})`;
  } catch (error) {
    return `token: unavailable (${describe(error)})`;
  }
}

/**
 * oidc-provider prints notices with console.info/warn (e.g. that it prefers Node 22). They are
 * not the demo's business: drop them, and only them, until the returned function is called.
 */
function muteOidcProviderNotices(): () => void {
  const { info, warn } = console;
  // eslint-disable-next-line no-control-regex
  const isNotice = (args: unknown[]): boolean => /^(\x1b\[[\d;]*m)?oidc-provider /.test(String(args[0]));
  console.info = (...args: unknown[]) => (isNotice(args) ? undefined : info.apply(console, args));
  console.warn = (...args: unknown[]) => (isNotice(args) ? undefined : warn.apply(console, args));
  return () => {
    console.info = info;
    console.warn = warn;
  };
}

async function embedded(): Promise<void> {
  const unmute = muteOidcProviderNotices();
  let started: OidcServers | undefined;
  try {
    // A dynamic import: oidc-provider is ESM-only and this package is CommonJS.
    const { startOidcServers } = await import('../spec/support/oidc-servers.mjs');
    const servers = (started = await startOidcServers());
    const { tokenClient, tokenRequests } = countingTokenClient();
    const api = axios.create({ baseURL: servers.apiUrl });
    const auth = installClientCredentials(api, {
      tokenUrl: servers.tokenUrl,
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      scope: ['invoices:read'],
      tokenClient,
    });

    console.log(`axios-client-credentials demo (embedded authorization server on ${servers.issuer})`);
    const run = async (label: string, requests: number, exchangeWord: string): Promise<void> => {
      servers.reset();
      const pluginBefore = tokenRequests();
      const result = await burst(api, '/invoices', requests);
      // The authorization server's own count, cross-checked against the plugin's.
      const exchanges = servers.stats().tokenRequests;
      const sent = tokenRequests() - pluginBefore;
      console.log(`${label}${summary(result, plural(exchanges, exchangeWord))}`);
      printFailures(result);
      if (sent !== exchanges) {
        console.log(`  mismatch: the plugin sent ${plural(sent, 'token request')}, the server counted ${exchanges}`);
        process.exitCode = 1;
      }
    };
    await run('', BURST, 'token exchange');
    // Every cached token is now rejected with 401: the plugin renews it once and replays each request.
    servers.revokeAll();
    await run('after revocation: ', BURST_AFTER_REVOCATION, 'token renewal');
    console.log(await tokenLine(auth));
  } finally {
    await started?.close();
    unmute();
  }
}

async function remote(env: Record<RequiredVar, string>): Promise<void> {
  const { tokenClient, tokenRequests } = countingTokenClient();
  const api = axios.create({ baseURL: env.API_URL });
  const scope = process.env['SCOPE'];
  const auth = installClientCredentials(api, {
    tokenUrl: env.TOKEN_URL,
    clientId: env.CLIENT_ID,
    clientSecret: env.CLIENT_SECRET,
    ...(scope ? { scope } : {}),
    tokenClient,
  });
  const path = process.env['API_PATH'] || '/';

  const target = `${env.API_URL.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`; // as axios joins them
  console.log(`axios-client-credentials demo (token URL ${env.TOKEN_URL}, GET ${target})`);
  const result = await burst(api, path, BURST);
  console.log(summary(result));
  printFailures(result);
  console.log(
    `token exchanges: not observable on a remote server; the plugin made ${plural(tokenRequests(), 'request')}`,
  );
  console.log(await tokenLine(auth));
}

async function main(): Promise<void> {
  const given = [...REQUIRED_VARS, ...OPTIONAL_VARS].filter((name) => process.env[name]);
  if (given.length === 0) return embedded();
  const missing = REQUIRED_VARS.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`to run against your own provider, also set ${missing.join(', ')} (given: ${given.join(', ')})`);
    console.error('or unset them all to run against the embedded authorization server');
    process.exitCode = 1;
    return undefined;
  }
  const env = Object.fromEntries(REQUIRED_VARS.map((name) => [name, process.env[name] ?? '']));
  return remote(env as Record<RequiredVar, string>);
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
