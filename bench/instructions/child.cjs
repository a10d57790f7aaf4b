// One measured process for bench/instructions.ts: `node child.cjs <contender> <requests>`.
// Plain CommonJS on purpose (no tsx loader under valgrind): it loads what a user's process loads,
// the built package from dist/, and sends `<requests>` API requests one after another through
// an axios instance whose adapter answers locally (no sockets, so every run is the same work).
'use strict';
const path = require('node:path');
const axios = require('axios');

const [contender, countArg] = process.argv.slice(2);
const requests = Number(countArg);
const WARM_UP = 200;
const TOKEN = 'bench-access-token-0123456789';

const apiAdapter = (config) =>
  Promise.resolve({ data: 'ok', status: 200, statusText: 'OK', headers: {}, config, request: {} });
const tokenAdapter = (config) =>
  Promise.resolve({
    data: JSON.stringify({ access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 }),
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json' },
    config,
    request: {},
  });

function create() {
  const instance = axios.create({ baseURL: 'https://api.test', adapter: apiAdapter });
  switch (contender) {
    case 'baseline':
      instance.interceptors.request.use((config) => {
        config.headers.Authorization = 'Bearer ' + TOKEN;
        return config;
      });
      return instance;
    case 'token-interceptor': {
      const tokenProvider = require('axios-token-interceptor');
      const cache = tokenProvider.tokenCache(() => Promise.resolve(TOKEN), { maxAge: 3_600_000 });
      instance.interceptors.request.use(tokenProvider({ getToken: cache }));
      return instance;
    }
    case 'this': {
      const { installClientCredentials } = require(path.join(__dirname, '../../dist/index.cjs'));
      installClientCredentials(instance, {
        tokenUrl: 'https://auth.test/token',
        clientId: 'bench-client',
        clientSecret: 'bench-secret',
        tokenClient: axios.create({ adapter: tokenAdapter }),
      });
      return instance;
    }
    default:
      throw new TypeError(`unknown contender "${contender}"`);
  }
}

async function main() {
  const instance = create();
  // Warm-up: the token is fetched and cached, the code paths are compiled; both the N and the 2N
  // run do exactly this, so it cancels out with startup.
  let last;
  for (let i = 0; i < WARM_UP; i++) last = await instance.get('/resource');
  // A contender that sent no token would measure nothing: refuse to report it.
  if (String(last.config.headers.Authorization) !== 'Bearer ' + TOKEN) throw new Error(`${contender} sent no token`);
  for (let i = 0; i < requests; i++) await instance.get('/resource');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
