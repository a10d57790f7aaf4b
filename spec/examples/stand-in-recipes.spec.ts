import { EXAMPLE_TIMEOUT_MS, runExample, type ExampleRun } from './run-example';

// Each recipe for a server that differs from the RFCs runs on its own, as a user would run it,
// against its loopback stand-in (examples/recipes/stand-in.ts); what it prints is the outcome.
const RECIPES = {
  'basic-encoding-raw': [
    'stand-in on loopback: a token endpoint that compares Basic credentials as sent, as Glewlwyd does',
    "basicEncoding 'rfc6749': TokenRequestError TOKEN_RESPONSE_HTTP_ERROR: token endpoint answered HTTP 403 without an OAuth 2.0 error (an empty answer to Basic credentials: if the server does not form-urldecode them, set basicEncoding: 'raw')",
    "basicEncoding 'raw': HTTP 200",
    'token requests: 2, API requests: 1',
  ],
  'renew-on-403': [
    'stand-in on loopback: an API that answers a revoked token 403, as Django OAuth Toolkit does',
    'renewOnStatus [401], token revoked: HTTP 403, replays: 0',
    'renewOnStatus [401, 403], token revoked: HTTP 200, replays: 1',
    'token requests: 3, API requests: 5',
  ],
  'envelope-token-response': [
    'stand-in on loopback: a token endpoint that answers { data: { token, expires_at } }',
    'without mapTokenResponse: TokenRequestError TOKEN_RESPONSE_INVALID: token response has no "access_token" string',
    'with mapTokenResponse: HTTP 200; the token lives 10 minutes, as expires_at says',
    'token requests: 2, API requests: 1',
  ],
  'json-token-request': [
    'stand-in on loopback: a token endpoint that takes only JSON bodies',
    `tokenRequestBody 'form': OAuth2Error OAUTH2_ERROR_RESPONSE: token endpoint answered "invalid_request" (HTTP 415): body must be application/json`,
    '  the token endpoint received grant_type, scope, client_id, client_secret',
    "tokenRequestBody 'json': HTTP 200",
    'token requests: 2, API requests: 1',
  ],
  'jwt-expiry': [
    'stand-in on loopback: a token endpoint that answers without expires_in',
    'JWT access token: HTTP 200; the token lives 120 minutes',
    'opaque access token: HTTP 200; the token lives 5 minutes',
    'token requests: 2, API requests: 2',
  ],
} as const;
const NAMES = Object.keys(RECIPES) as Array<keyof typeof RECIPES>;

describe('examples/recipes/* with a stand-in server', () => {
  const runs = new Map<string, ExampleRun>();

  beforeAll(async () => {
    const results = await Promise.all(NAMES.map((name) => runExample(`examples/recipes/${name}.ts`)));
    NAMES.forEach((name, i) => runs.set(name, results[i]!));
  }, EXAMPLE_TIMEOUT_MS + 5_000);

  it.each(NAMES)('runs %s on its own: exit code 0, nothing on stderr, the outcome lines on stdout', (name) => {
    const { code, stdout, stderr } = runs.get(name)!;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.trimEnd().split('\n')).toEqual(RECIPES[name]);
  });
});
