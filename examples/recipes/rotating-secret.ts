/**
 * Recipe: a client secret that rotates. `clientSecret` may be a function, sync or async: here it
 * reads a file that a secrets agent (Vault Agent, the Secrets Store CSI driver) rewrites on
 * rotation. It is called whenever a token request needs the secret and the value is never kept;
 * after an `invalid_client` answer it is asked once more, so a rotation costs one failed exchange
 * at most. Set SECRET_FILE to the file's path.
 */
import { readFile } from 'node:fs/promises';
import axios from 'axios';
import { installClientCredentials } from '../../lib';
import { envFromProcess, runIfMain, type RecipeEnv } from './env';

export async function main(env: RecipeEnv, secretFile: string) {
  const billing = axios.create({ baseURL: env.billingUrl });
  installClientCredentials(billing, {
    tokenUrl: env.tokenUrl,
    clientId: env.clientId,
    clientSecret: async () => (await readFile(secretFile, 'utf8')).trim(),
    scope: 'invoices:read',
  });
  const response = await billing.get('/invoices');
  return { status: response.status };
}

runIfMain(module, () => main(envFromProcess(['tokenUrl', 'clientId', 'billingUrl']), process.env['SECRET_FILE'] ?? ''));
