import { EXAMPLE_TIMEOUT_MS as TIMEOUT_MS, runExample, type ExampleRun as Run } from '../examples/run-example';

const DEMO_VARS = ['TOKEN_URL', 'CLIENT_ID', 'CLIENT_SECRET', 'API_URL', 'SCOPE', 'API_PATH'];

/** Runs examples/demo.ts as `npm run demo` does, with `env` instead of the demo's own variables. */
function runDemo(env: Record<string, string> = {}): Promise<Run> {
  return runExample('examples/demo.ts', { env, unset: DEMO_VARS });
}

describe('examples/demo.ts', () => {
  describe('with the embedded authorization server', () => {
    let run: Run;

    beforeAll(async () => {
      run = await runDemo();
    }, TIMEOUT_MS + 5_000);

    it('makes one token exchange for 1000 concurrent requests and one renewal after revocation', () => {
      const { code, stdout, stderr } = run;

      expect({ code, stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('oidc-provider') });
      expect(stdout).toMatch(
        /^axios-client-credentials demo \(embedded authorization server on http:\/\/127\.0\.0\.1:\d+\)$/m,
      );
      expect(stdout).toMatch(/^1000 requests, 1 token exchange, 0 failures, \d+\.\d s$/m);
      expect(stdout).toMatch(/^after revocation: 300 requests, 1 token renewal, 0 failures, \d+\.\d s$/m);
      expect(stdout).not.toContain('mismatch');
    });

    it('shows the token masked, never in full', () => {
      expect(run.stdout).toMatch(/^token: Bearer [A-Za-z0-9_-]{6}… \(expires /m);
      // oidc-provider's opaque tokens are 43 base64url characters.
      expect(run.stdout).not.toMatch(/Bearer [A-Za-z0-9_-]{7,}/);
    });
  });

  it(
    'names the missing variables and exits with 1 when only some are set',
    async () => {
      const { code, stdout, stderr } = await runDemo({ TOKEN_URL: 'https://auth.example.com/token', SCOPE: 'a' });

      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain('also set CLIENT_ID, CLIENT_SECRET, API_URL (given: TOKEN_URL, SCOPE)');
    },
    TIMEOUT_MS + 5_000,
  );
});
