// Shared by the client authentication examples. Each example runs in one of two modes:
//   - no variable of its own set: against an embedded authorization server (oidc-provider, in
//     this process on loopback, with a client registered for that method) and its protected API;
//   - all its required variables set: against your provider. Common to all of them:
//       ISSUER or TOKEN_URL   where to get tokens (ISSUER: discovered, RFC 8414)
//       CLIENT_ID             the client identifier
//       API_URL               an API that accepts the tokens; the example GETs API_PATH (default "/")
//       SCOPE                 optional, space-delimited
// Some but not all of them set: a one-line usage message on stderr and exit code 1.
import axios from 'axios';
import type { ClientCredentialsHandle, ClientCredentialsOptions } from '../../lib';
import type { OidcServers, StartOidcServersOptions } from '../../spec/support/oidc-servers.mjs';

/** A problem with the example's environment: printed as one line, without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where to get tokens and which API to call: from the environment or the embedded servers. */
export interface Provider {
  where: Pick<ClientCredentialsOptions, 'issuer'> | Pick<ClientCredentialsOptions, 'tokenUrl'>;
  clientId: string;
  apiUrl: string;
  scope?: string;
}

const COMMON = ['ISSUER', 'TOKEN_URL', 'CLIENT_ID', 'API_URL', 'SCOPE', 'API_PATH'];

/** The variables one example reads besides the common ones. */
export interface ExampleVars {
  /** Required besides CLIENT_ID and API_URL. */
  required: readonly string[];
  optional?: readonly string[];
  /** Whether the example needs ISSUER (discovery) rather than either ISSUER or TOKEN_URL. Default is `false`. */
  issuerOnly?: boolean;
  /** The variables as the usage line names them. */
  usage: string;
}

/**
 * The example's variables, or `undefined` when none of them is set (embedded mode).
 * @throws {UsageError} when some are set and a required one is missing
 */
export function readEnv({
  required,
  optional = [],
  issuerOnly = false,
  usage,
}: ExampleVars): ((name: string) => string) | undefined {
  const value = (name: string): string | undefined => process.env[name] || undefined;
  const given = [...COMMON, ...required, ...optional].filter((name) => value(name) !== undefined);
  if (given.length === 0) return undefined;
  const hasWhere = issuerOnly ? value('ISSUER') !== undefined : value('ISSUER') || value('TOKEN_URL');
  const missing = [
    ...(hasWhere ? [] : [issuerOnly ? 'ISSUER' : 'ISSUER or TOKEN_URL']),
    ...['CLIENT_ID', 'API_URL', ...required].filter((name) => value(name) === undefined),
  ];
  if (missing.length > 0) {
    throw new UsageError(
      `set ${usage} (missing: ${missing.join(', ')}), or none of them to run against an embedded authorization server`,
    );
  }
  return (name) => value(name) ?? '';
}

/** `issuer` or `tokenUrl`, `clientId`, `scope` and the API from the environment. */
export function providerFromEnv(env: (name: string) => string): Provider {
  return {
    where: env('ISSUER') ? { issuer: env('ISSUER') } : { tokenUrl: env('TOKEN_URL') },
    clientId: env('CLIENT_ID'),
    apiUrl: env('API_URL'),
    ...(env('SCOPE') ? { scope: env('SCOPE') } : {}),
  };
}

/**
 * Starts oidc-provider with `client` registered (oidc-provider client metadata, RFC 7591 names)
 * and its API on loopback, runs `example` against them and stops them.
 */
export async function withEmbeddedProvider(
  client: Record<string, unknown>,
  example: (servers: OidcServers) => Promise<void>,
  options: Omit<StartOidcServersOptions, 'clients'> = {},
): Promise<void> {
  const unmute = muteOidcProviderNotices();
  let started: OidcServers | undefined;
  try {
    // A dynamic import: oidc-provider is ESM-only and this package is CommonJS.
    const { startOidcServers } = await import('../../spec/support/oidc-servers.mjs');
    const clients = [{ grant_types: ['client_credentials'], redirect_uris: [], response_types: [], ...client }];
    const servers = (started = await startOidcServers({ ...options, clients }));
    console.log(`embedded authorization server on ${servers.issuer}, client "${String(client['client_id'])}"`);
    await example(servers);
    console.log(`token requests the server received: ${servers.stats().tokenRequests}`);
  } finally {
    await started?.close();
    unmute();
  }
}

/** oidc-provider prints notices (e.g. that it prefers Node 22) with console.info/warn: drop only those. */
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

/** Calls the API once and prints what happened; never the token. */
export async function callApi(api: ReturnType<typeof axios.create>, handle: ClientCredentialsHandle): Promise<void> {
  const response = await api.get(process.env['API_PATH'] || '/');
  const token = await handle.getToken();
  console.log(`HTTP ${response.status}; token expires ${new Date(token.expiresAt).toISOString()}`);
}

/** Runs an example: a usage problem or a failure is one line on stderr and exit code 1. */
export function run(name: string, example: () => Promise<void>): void {
  example().catch((error: unknown) => {
    if (error instanceof UsageError) console.error(`${name}: ${error.message}`);
    else console.error(`${name} failed: ${describe(error)}`);
    process.exitCode = 1;
  });
}

function describe(error: unknown): string {
  if (axios.isAxiosError(error)) {
    return error.response ? `HTTP ${error.response.status} from ${error.config?.url ?? 'the API'}` : error.message;
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
