import { EXAMPLE_TIMEOUT_MS, runExample as runFile, type ExampleRun } from './run-example';

const VARS = [
  'ISSUER',
  'TOKEN_URL',
  'CLIENT_ID',
  'CLIENT_SECRET',
  'CLIENT_KEY_FILE',
  'CLIENT_CERT_FILE',
  'KEY_ID',
  'METHOD',
  'API_URL',
  'API_PATH',
  'SCOPE',
];

/** Runs examples/client-auth/<name>.ts with tsx, with `env` instead of the examples' variables. */
const runExample = (name: string, env: Record<string, string> = {}): Promise<ExampleRun> =>
  runFile(`examples/client-auth/${name}.ts`, { env, unset: VARS });

const EMBEDDED = [
  ['client-secret-jwt', 'hmac-client'],
  ['private-key-jwt', 'reporting-service'],
  ['discovery', 'svc'],
  ['mtls', 'svc'],
] as const;

describe('examples/client-auth/* with no variables set', () => {
  const runs = new Map<string, ExampleRun>();

  beforeAll(async () => {
    const results = await Promise.all(EMBEDDED.map(([name]) => runExample(name)));
    EMBEDDED.forEach(([name], i) => runs.set(name, results[i]!));
  }, EXAMPLE_TIMEOUT_MS + 5_000);

  it.each(EMBEDDED)(
    'runs %s against the embedded oidc-provider with client "%s": HTTP 200, one token request',
    (name, client) => {
      const { code, stdout, stderr } = runs.get(name)!;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const lines = stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(
        new RegExp(`^embedded authorization server on https?://127\\.0\\.0\\.1:\\d+, client "${client}"$`),
      );
      expect(lines[1]).toMatch(/^HTTP 200; token expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(lines[2]).toBe('token requests the server received: 1');
    },
  );
});

describe('examples/client-auth/* with some variables missing', () => {
  const PARTIAL = [
    [
      'client-secret-jwt',
      { CLIENT_ID: 'svc' },
      'client-secret-jwt: set TOKEN_URL (or ISSUER), CLIENT_ID, CLIENT_SECRET and API_URL (missing: ISSUER or TOKEN_URL, API_URL, CLIENT_SECRET), or none of them to run against an embedded authorization server',
    ],
    [
      'private-key-jwt',
      { ISSUER: 'https://login.example.com', CLIENT_ID: 'svc', API_URL: 'https://api.example.com' },
      'private-key-jwt: set ISSUER (or TOKEN_URL), CLIENT_ID, CLIENT_KEY_FILE and API_URL, optionally KEY_ID (missing: CLIENT_KEY_FILE), or none of them to run against an embedded authorization server',
    ],
    [
      'discovery',
      {
        TOKEN_URL: 'https://login.example.com/token',
        CLIENT_ID: 'svc',
        CLIENT_SECRET: 's',
        API_URL: 'https://api.example.com',
      },
      'discovery: set ISSUER, CLIENT_ID, CLIENT_SECRET and API_URL (missing: ISSUER), or none of them to run against an embedded authorization server',
    ],
    [
      'mtls',
      { METHOD: 'tls_client_auth' },
      'mtls: set ISSUER (or TOKEN_URL), CLIENT_ID, CLIENT_CERT_FILE, CLIENT_KEY_FILE and API_URL, optionally METHOD (missing: ISSUER or TOKEN_URL, CLIENT_ID, API_URL, CLIENT_CERT_FILE, CLIENT_KEY_FILE), or none of them to run against an embedded authorization server',
    ],
  ] as const;

  it.each(PARTIAL)('%s prints one usage line and exits 1, without a stack trace', async (name, env, usage) => {
    const { code, stdout, stderr } = await runExample(name, env);
    expect({ code, stdout, stderr }).toEqual({ code: 1, stdout: '', stderr: `${usage}\n` });
  });
});
