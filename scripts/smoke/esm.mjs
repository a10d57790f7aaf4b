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
import { smoke } from './harness.cjs';

assert.match(import.meta.resolve('axios-client-credentials'), /\/dist\/index\.mjs$/);
await smoke(
  { installClientCredentials, MemoryTokenStore, OAuth2Error, TokenRequestError, ClientCredentialsError },
  axios,
  'esm',
);
