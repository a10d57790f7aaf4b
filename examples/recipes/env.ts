/**
 * What every recipe needs to run: where the authorization server and the APIs are, and the client
 * credentials. The test suite passes loopback servers (spec/examples/recipes.spec.ts); run on its
 * own, a recipe reads the same names from the environment:
 *
 *   TOKEN_URL=https://auth.example.com/oauth/token CLIENT_ID=… CLIENT_SECRET=… \
 *   BILLING_URL=https://billing.example.com REPORTS_URL=https://reports.example.com \
 *   node --import tsx examples/recipes/one-instance-per-api.ts
 */
export interface RecipeEnv {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** The billing API's origin. */
  billingUrl: string;
  /** The reports API's origin. */
  reportsUrl: string;
  /** An origin that must never receive the token (a webhook receiver, a pre-signed file URL). */
  elsewhereUrl: string;
}

const NAMES: Record<keyof RecipeEnv, string> = {
  tokenUrl: 'TOKEN_URL',
  clientId: 'CLIENT_ID',
  clientSecret: 'CLIENT_SECRET',
  billingUrl: 'BILLING_URL',
  reportsUrl: 'REPORTS_URL',
  elsewhereUrl: 'ELSEWHERE_URL',
};

/** Reads the recipe environment from process.env; exits with 1 and names what is missing. */
export function envFromProcess(needed: ReadonlyArray<keyof RecipeEnv>): RecipeEnv {
  const missing = needed.filter((key) => !process.env[NAMES[key]]).map((key) => NAMES[key]);
  if (missing.length > 0) {
    console.error(`set ${missing.join(', ')} to run this recipe`);
    process.exit(1);
  }
  const env = {} as RecipeEnv;
  for (const key of Object.keys(NAMES) as Array<keyof RecipeEnv>) env[key] = process.env[NAMES[key]] ?? '';
  return env;
}

/**
 * Runs a recipe's main() when its file is run directly, prints what it answered (if anything: the
 * stand-in recipes print as they go) and sets the exit code.
 */
export function runIfMain(module: NodeModule, main: () => Promise<unknown>): void {
  if (require.main !== module) return;
  main().then(
    (result) => {
      if (result !== undefined) console.log(JSON.stringify(result, null, 2));
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
