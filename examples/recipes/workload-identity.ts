/**
 * Recipe: workload identity federation. The platform mints the client assertion (a Kubernetes
 * projected service-account token, as Microsoft Entra workload identity uses; a SPIFFE JWT-SVID);
 * `clientAssertion` reads it from its file on every token exchange, because the kubelet rewrites
 * the file before the token expires. No secret or key lives in the application.
 * Set TOKEN_FILE to the file's path (Entra sets AZURE_FEDERATED_TOKEN_FILE).
 */
import { readFile } from 'node:fs/promises';
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { envFromProcess, runIfMain, type RecipeEnv } from './env';

export function createBilling(env: RecipeEnv, tokenFile: string) {
  const billing = axios.create({ baseURL: env.billingUrl });
  const handle = installClientCredentials(billing, {
    tokenUrl: env.tokenUrl,
    clientId: env.clientId,
    clientAssertion: async () => (await readFile(tokenFile, 'utf8')).trim(),
    scope: 'invoices:read',
  });
  return { billing, handle };
}

export async function main(env: RecipeEnv, tokenFile: string) {
  const { billing } = createBilling(env, tokenFile);
  const response = await billing.get('/invoices');
  return { status: response.status };
}

runIfMain(module, () =>
  main(
    envFromProcess(['tokenUrl', 'clientId', 'billingUrl']),
    process.env['TOKEN_FILE'] ?? process.env['AZURE_FEDERATED_TOKEN_FILE'] ?? '',
  ),
);
