'use strict';
// Loads the package the way a CommonJS consumer does: require(), resolved through the "require"
// condition of the exports map to dist/index.cjs.
const assert = require('node:assert/strict');
const axios = require('axios');
const lib = require('axios-client-credentials');
const { smoke } = require('./harness.cjs');

assert.match(require.resolve('axios-client-credentials'), /\/dist\/index\.cjs$/);
// The ./redis subpath loads without ioredis (an optional peer dependency, not installed here).
assert.throws(() => require.resolve('ioredis'), { code: 'MODULE_NOT_FOUND' });
assert.match(require.resolve('axios-client-credentials/redis'), /\/dist\/redis\.cjs$/);
const { RedisTokenStore } = require('axios-client-credentials/redis');
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
smoke(lib, axios, 'cjs').catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
