/**
 * Recipe: a legacy codebase that calls the default `axios` export everywhere.
 *
 * Install once at start-up, on `axios` itself; the calls all over the codebase stay as they are.
 * The default instance has no `baseURL`, so list the `origins` that may receive the token: without
 * them every request of the default instance would carry it, including the ones to third parties.
 */
import axios from 'axios';
import { installClientCredentials, type ClientCredentialsHandle } from '../../lib';
import { envFromProcess, runIfMain, type RecipeEnv } from './env';

/** Start-up code: the only new lines in the codebase. */
export function setUpAuthentication(env: RecipeEnv): ClientCredentialsHandle {
  return installClientCredentials(axios, {
    tokenUrl: env.tokenUrl,
    clientId: env.clientId,
    clientSecret: env.clientSecret,
    origins: [env.billingUrl, env.reportsUrl],
    // Token requests never go through the intercepted instance; a fresh axios.create() is the
    // default and is spelled out here because the intercepted instance is `axios` itself.
    tokenClient: axios.create(),
  });
}

/** Legacy code, unchanged: absolute URLs through the default export. */
async function legacyNightlyJob(env: RecipeEnv): Promise<number[]> {
  const invoices = await axios.get(`${env.billingUrl}/invoices`);
  const summary = await axios.get(`${env.reportsUrl}/summary`);
  // A third party: gets no token, because its origin is not listed.
  const webhook = await axios.post(`${env.elsewhereUrl}/webhook`, { done: true });
  return [invoices.status, summary.status, webhook.status];
}

export async function main(env: RecipeEnv) {
  const auth = setUpAuthentication(env);
  try {
    return { statuses: await legacyNightlyJob(env) };
  } finally {
    // A real application keeps the installation for its lifetime; the recipe removes it so that
    // running it leaves the shared default export as it found it.
    auth.eject();
  }
}

runIfMain(module, () =>
  main(envFromProcess(['tokenUrl', 'clientId', 'clientSecret', 'billingUrl', 'reportsUrl', 'elsewhereUrl'])),
);
