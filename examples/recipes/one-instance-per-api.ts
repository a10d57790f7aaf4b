/**
 * Recipe: one axios instance per API, each with the scopes that API needs.
 *
 * Every installation shares the process-wide token store, keyed by everything that changes which
 * token you get: two instances with different scopes get two tokens, two with equal settings share
 * one (and one token exchange).
 */
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { envFromProcess, runIfMain, type RecipeEnv } from './env';

export function createClients(env: RecipeEnv) {
  const credentials = { tokenUrl: env.tokenUrl, clientId: env.clientId, clientSecret: env.clientSecret };

  const billing = axios.create({ baseURL: env.billingUrl });
  installClientCredentials(billing, { ...credentials, scope: ['invoices:read', 'invoices:write'] });

  const reports = axios.create({ baseURL: env.reportsUrl });
  installClientCredentials(reports, { ...credentials, scope: 'reports:read' });

  // Another module that talks to billing with the same settings: same cache key, same token.
  const billingAdmin = axios.create({ baseURL: env.billingUrl, timeout: 5_000 });
  installClientCredentials(billingAdmin, { ...credentials, scope: 'invoices:write invoices:read' });

  return { billing, reports, billingAdmin };
}

export async function main(env: RecipeEnv) {
  const { billing, reports, billingAdmin } = createClients(env);
  const [invoices, summary, audit] = await Promise.all([
    billing.get('/invoices'),
    reports.get('/summary'),
    billingAdmin.get('/audit'),
  ]);
  return { statuses: [invoices.status, summary.status, audit.status] };
}

runIfMain(module, () => main(envFromProcess(['tokenUrl', 'clientId', 'clientSecret', 'billingUrl', 'reportsUrl'])));
