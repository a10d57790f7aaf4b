/**
 * Recipe: composing with axios-retry.
 *
 * Register axios-retry first and install the plugin second. axios runs request interceptors
 * last-registered-first and response interceptors first-registered-first, so this order means:
 * - on the way out, the plugin attaches the token first, and axios-retry then records the request
 *   time, so time spent waiting for a token renewal does not count against a retry's timeout;
 * - on the way back, axios-retry sees a 5xx or network error first and retries it (the retry goes
 *   through the instance again and carries the current token); a 401 is not in its default
 *   `retryCondition`, passes on to the plugin, which renews the token once and replays once.
 *
 * Keep 401 out of axios-retry's `retryCondition`: two mechanisms replaying 401s is how one
 * revoked token turns into a storm.
 */
import axios from 'axios';
import axiosRetry from 'axios-retry';
import { installClientCredentials } from '../../lib';
import { envFromProcess, runIfMain, type RecipeEnv } from './env';

export function createBillingClient(env: RecipeEnv) {
  const billing = axios.create({ baseURL: env.billingUrl });
  axiosRetry(billing, { retries: 2, retryDelay: axiosRetry.exponentialDelay });
  installClientCredentials(billing, {
    tokenUrl: env.tokenUrl,
    clientId: env.clientId,
    clientSecret: env.clientSecret,
  });
  return billing;
}

export async function main(env: RecipeEnv) {
  const billing = createBillingClient(env);
  const response = await billing.get('/invoices');
  return { status: response.status };
}

runIfMain(module, () => main(envFromProcess(['tokenUrl', 'clientId', 'clientSecret', 'billingUrl'])));
