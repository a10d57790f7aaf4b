import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildPackage, REPOSITORY, type BuiltPackage } from '../support/built-package';
import { startOidcServer, type OidcServer } from '../support/oidc';

// What a new user runs: the built CommonJS entry, required by plain CommonJS code, exchanging a
// private_key_jwt assertion with a real authorization server (oidc-provider on loopback) and
// calling the API with the token. Two hosts that used to break it: jest in its default CommonJS
// mode (its vm modules refuse `import()`), and a Node runtime without global WebCrypto (Node 18;
// here a preload deletes the globals: Node 26 has no `--no-experimental-global-webcrypto` any more).

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/** The consumer: prints the client id the API saw, or the error's name, code and message. */
const CONSUMER = `'use strict';
const axios = require('axios');
const { installClientCredentials } = require(process.env.PACKAGE_ENTRY);

async function whoami() {
  const api = axios.create({ baseURL: process.env.API_URL });
  installClientCredentials(api, {
    issuer: process.env.ISSUER,
    clientId: 'jwt-client',
    privateKey: process.env.PRIVATE_KEY,
  });
  try {
    return 'client ' + (await api.get('/whoami')).data.clientId;
  } catch (error) {
    return 'failed ' + error.name + ' ' + error.code + ': ' + error.message;
  }
}
module.exports = { whoami };
`;

const JEST_TEST = `'use strict';
const { whoami } = require('./consumer.cjs');
test('exchanges a private_key_jwt assertion', async () => {
  console.log('RESULT ' + (await whoami()));
});
`;

const NODE_MAIN = `'use strict';
const webCrypto = typeof globalThis.crypto;
require('./consumer.cjs').whoami().then((result) => console.log('RESULT ' + result + ', WebCrypto ' + webCrypto));
`;

/** Takes away what Node 18 did not have: the WebCrypto globals. */
const NO_WEBCRYPTO = `'use strict';
for (const name of ['crypto', 'CryptoKey', 'SubtleCrypto']) delete globalThis[name];
`;

let server: OidcServer;
let built: BuiltPackage;

beforeAll(async () => {
  [server, built] = await Promise.all([
    startOidcServer({
      clients: [
        {
          client_id: 'jwt-client',
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [rsa.publicKey.export({ format: 'jwk' })] },
          scope: 'invoices:read',
        },
      ],
    }),
    buildPackage(),
  ]);
  writeFileSync(path.join(built.dir, 'consumer.cjs'), CONSUMER);
  writeFileSync(path.join(built.dir, 'consumer.test.cjs'), JEST_TEST);
  writeFileSync(path.join(built.dir, 'main.cjs'), NODE_MAIN);
  writeFileSync(path.join(built.dir, 'no-webcrypto.cjs'), NO_WEBCRYPTO);
}, 60_000);

afterAll(async () => {
  await server.close();
  built.remove();
});

/** Runs `node args…` with the consumer's settings; resolves to the RESULT line it printed. */
function run(args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PACKAGE_ENTRY: built.cjsEntry,
    ISSUER: server.issuer,
    API_URL: server.apiUrl,
    PRIVATE_KEY,
  };
  delete env['NODE_OPTIONS'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: built.dir, env, timeout: 50_000 }, (error, stdout, stderr) => {
      const line = /RESULT (.*)/.exec(stdout)?.[1];
      if (line !== undefined) resolve(line);
      else reject(new Error(`no RESULT line (${error?.message ?? 'exit 0'})\n${stdout}\n${stderr}`));
    });
  });
}

describe('the built CommonJS package with private_key_jwt', () => {
  it('gets a token and calls the API inside a jest project in default CommonJS mode', async () => {
    const jest = path.join(REPOSITORY, 'node_modules', 'jest', 'bin', 'jest.js');
    const config = JSON.stringify({ rootDir: built.dir, testMatch: ['**/consumer.test.cjs'], transform: {} });
    const cache = path.join(built.dir, 'jest-cache');
    const result = await run([jest, '--config', config, '--ci', '--no-watchman', '--cacheDirectory', cache]);
    expect(result).toBe('client jwt-client');
  }, 60_000);

  it('gets a token and calls the API on a Node runtime without global WebCrypto', async () => {
    const preload = path.join(built.dir, 'no-webcrypto.cjs');
    const result = await run(['--require', preload, path.join(built.dir, 'main.cjs')]);
    expect(result).toBe('client jwt-client, WebCrypto undefined');
  });
});
