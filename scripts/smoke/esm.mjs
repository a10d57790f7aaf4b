// Loads the package the way an ES module consumer does: named imports, resolved through the
// "import" condition of the exports map to dist/index.mjs.
import assert from 'node:assert/strict';
import axios from 'axios';
import {
  installClientCredentials,
  MemoryTokenStore,
  OAuth2Error,
  TokenRequestError,
  ClientCredentialsError,
} from 'axios-client-credentials';
import { RedisTokenStore } from 'axios-client-credentials/redis';
import { smoke } from './harness.cjs';

assert.match(import.meta.resolve('axios-client-credentials'), /\/dist\/index\.mjs$/);
// The ./redis subpath loads without ioredis (an optional peer dependency, not installed here).
assert.match(import.meta.resolve('axios-client-credentials/redis'), /\/dist\/redis\.mjs$/);
// Shaped like an ioredis client (the store tells clients apart by shape, never by import); one
// it cannot drive is a TypeError at construction.
const fakeClient = {
  status: 'wait',
  duplicate() {
    return this;
  },
  get() {},
  set() {},
  del() {},
  eval() {},
};
assert.throws(() => new RedisTokenStore({ get() {}, set() {} }), TypeError);
assert.deepEqual(JSON.parse(JSON.stringify(new RedisTokenStore(fakeClient))), { keyPrefix: '', encrypted: false });
await smoke(
  { installClientCredentials, MemoryTokenStore, OAuth2Error, TokenRequestError, ClientCredentialsError },
  axios,
  'esm',
);
