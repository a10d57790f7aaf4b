'use strict';
// Loads the package the way a CommonJS consumer does: require(), resolved through the "require"
// condition of the exports map to dist/index.cjs.
const assert = require('node:assert/strict');
const axios = require('axios');
const lib = require('axios-client-credentials');
const { smoke } = require('./harness.cjs');

assert.match(require.resolve('axios-client-credentials'), /\/dist\/index\.cjs$/);
smoke(lib, axios, 'cjs').catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
