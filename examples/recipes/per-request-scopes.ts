/**
 * Recipe: one instance, a different token per call. `tokenParameters` on a request overrides the
 * installation's `scope`, `resource` or `audience` for that request only. Each distinct set is its
 * own cached token, with its own exchange and its own 401 renewal, so concurrent calls with
 * different scopes never get each other's tokens.
 */
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { envFromProcess, runIfMain, type RecipeEnv } from './env';

export async function main(env: RecipeEnv) {
  const billing = axios.create({ baseURL: env.billingUrl });
  installClientCredentials(billing, {
    tokenUrl: env.tokenUrl,
    clientId: env.clientId,
    clientSecret: env.clientSecret,
    // What requests without tokenParameters ask for: the least privilege.
    scope: 'invoices:read',
  });

  const [list, created, again] = await Promise.all([
    billing.get('/invoices'),
    // Only this call needs the write scope; it gets (and caches) a token of its own.
    billing.post('/invoices', { amount: 42 }, { tokenParameters: { scope: 'invoices:read invoices:write' } }),
    billing.get('/invoices/1'),
  ]);
  return { statuses: [list.status, created.status, again.status] };
}

runIfMain(module, () => main(envFromProcess(['tokenUrl', 'clientId', 'clientSecret', 'billingUrl'])));
