'use strict';
// The consumer-side smoke test, shared by esm.mjs and cjs.cjs: a loopback token endpoint and API,
// one installation, 20 concurrent requests and one exchange; then every token is revoked and 50
// concurrent requests meet 401s: one renewal, every request replayed and answered 200. It receives
// the package's exports and axios from its caller, so the same checks run against the ESM build,
// the CJS build and each axios version of the peer range (scripts/smoke.sh AXIOS_VERSION).

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');

const CLIENT_ID = 'smoke-client';
const CLIENT_SECRET = 'smoke-secret';
const EXPORTS = [
  'installClientCredentials',
  'MemoryTokenStore',
  'OAuth2Error',
  'TokenRequestError',
  'ClientCredentialsError',
];

/** Starts `handler` on 127.0.0.1 with an ephemeral port; resolves with the server and its origin. */
function listen(handler) {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

function close(server) {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function sendJson(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

/**
 * Checks a private_key_jwt client assertion (RFC 7523 §3) signed with ES256 by `publicKey`.
 * @param {string | null} assertion
 * @param {crypto.KeyObject} publicKey
 * @param {string} audience
 */
function verifyAssertion(assertion, publicKey, audience) {
  const [header, payload, signature] = String(assertion).split('.');
  const valid = crypto.verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(String(signature), 'base64url'),
  );
  const claims = JSON.parse(Buffer.from(String(payload), 'base64url').toString('utf8'));
  return valid && claims.iss === CLIENT_ID && claims.sub === CLIENT_ID && claims.aud === audience;
}

/**
 * @param {Record<string, any>} lib the package's exports as the caller imported them
 * @param {any} axios the caller's axios default export
 * @param {string} label 'esm' or 'cjs', for messages
 */
async function smoke(lib, axios, label) {
  let stage = 'start';
  // Fail with the stage reached instead of hanging until CI's limit.
  const watchdog = setTimeout(() => {
    console.error(`smoke ${label}: no progress for 60 s, stuck at: ${stage}`);
    process.exit(1);
  }, 60_000);
  for (const name of EXPORTS) assert.equal(typeof lib[name], 'function', `${label}: export "${name}"`);

  const tokenPrefix = `smoke-${label}-${Date.now().toString(36)}`;
  // Every exchange issues a new token; the API accepts the ones not revoked.
  const issued = [];
  const valid = new Set();
  const issue = () => {
    const token = `${tokenPrefix}-${issued.length + 1}`;
    issued.push(token);
    valid.add(token);
    return { access_token: token, token_type: 'Bearer', expires_in: 3600 };
  };
  const expectedBasic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
  const tokenRequests = [];
  const apiAuthorizations = [];
  const assertionKeys = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let tokenUrl = '';

  const tokenEndpoint = await listen((req, res) => {
    void readBody(req).then((body) => {
      tokenRequests.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      const assertion = new URLSearchParams(body).get('client_assertion');
      if (assertion !== null) {
        const valid = verifyAssertion(assertion, assertionKeys.publicKey, tokenUrl);
        if (valid) sendJson(res, 200, issue());
        else sendJson(res, 401, { error: 'invalid_client', error_description: 'bad client assertion' });
        return;
      }
      if (req.headers.authorization !== expectedBasic) {
        sendJson(res, 401, { error: 'invalid_client', error_description: 'unknown client' });
        return;
      }
      // Answer late, so all concurrent requests are waiting on the one exchange.
      setTimeout(() => sendJson(res, 200, issue()), 50);
    });
  });
  const api = await listen((req, res) => {
    const authorization = req.headers.authorization;
    apiAuthorizations.push(authorization);
    if (authorization?.startsWith('Bearer ') && valid.has(authorization.slice('Bearer '.length))) {
      sendJson(res, 200, { ok: true, path: req.url });
      return;
    }
    // RFC 6750 §3.1: an expired or revoked token.
    res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
    sendJson(res, 401, { error: 'invalid_token' });
  });

  tokenUrl = `${tokenEndpoint.origin}/token`;
  try {
    stage = '20 concurrent requests';
    const client = axios.create({ baseURL: api.origin, timeout: 10_000 });
    const handle = lib.installClientCredentials(client, {
      tokenUrl: `${tokenEndpoint.origin}/token`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      store: new lib.MemoryTokenStore(),
    });

    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => client.get(`/items/${i}`)));
    assert.deepEqual(
      responses.map((response) => response.status),
      Array(20).fill(200),
      `${label}: every request gets 200`,
    );
    assert.equal(tokenRequests.length, 1, `${label}: one token request for 20 concurrent calls`);
    assert.equal(tokenRequests[0].method, 'POST');
    assert.equal(tokenRequests[0].url, '/token');
    assert.equal(new URLSearchParams(tokenRequests[0].body).get('grant_type'), 'client_credentials');
    assert.equal(apiAuthorizations.length, 20);
    assert.deepEqual(apiAuthorizations, Array(20).fill(`Bearer ${issued[0]}`), `${label}: API sees the token`);

    stage = 'revocation answered by 50 concurrent 401s';
    valid.clear();
    apiAuthorizations.length = 0;
    const afterRevocation = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => client.get(`/after/${i}`)));
    const outcomes = afterRevocation.map((result) =>
      result.status === 'fulfilled'
        ? result.value.status
        : `rejected: ${result.reason?.response?.status ?? result.reason}`,
    );
    assert.deepEqual(outcomes, Array(50).fill(200), `${label}: every call after the revocation gets 200`);
    assert.equal(tokenRequests.length, 2, `${label}: one renewal for 50 concurrent 401s`);
    assert.equal(apiAuthorizations.length, 100, `${label}: each call sent twice, with the old token and the new`);
    assert.deepEqual(
      apiAuthorizations.filter((authorization) => authorization === `Bearer ${issued[1]}`).length,
      50,
      `${label}: every replay carries the renewed token`,
    );

    stage = 'a request aborted while it waits for a token';
    // No cached token, so the request interceptor waits on an exchange and sees the aborted signal.
    const waitingClient = axios.create({ baseURL: api.origin });
    const waiting = lib.installClientCredentials(waitingClient, {
      tokenUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      store: new lib.MemoryTokenStore(),
    });
    const controller = new AbortController();
    controller.abort();
    const apiCallsBefore = apiAuthorizations.length;
    await assert.rejects(waitingClient.get('/aborted', { signal: controller.signal }), (error) => {
      assert.ok(axios.isCancel(error), `${label}: an axios CanceledError, not ${error}`);
      return true;
    });
    assert.equal(apiAuthorizations.length, apiCallsBefore, `${label}: the aborted request never reached the API`);

    stage = 'token request with a wrong secret';
    // The classes a consumer catches are the ones the library throws (one copy per build).
    const rejected = lib.installClientCredentials(axios.create({ baseURL: api.origin }), {
      tokenUrl: `${tokenEndpoint.origin}/token`,
      clientId: CLIENT_ID,
      clientSecret: 'wrong-secret',
      store: new lib.MemoryTokenStore(),
    });
    await assert.rejects(rejected.getToken(), (error) => {
      assert.ok(error instanceof lib.OAuth2Error, `${label}: OAuth2Error instance`);
      assert.ok(error instanceof lib.ClientCredentialsError, `${label}: ClientCredentialsError instance`);
      assert.equal(error.code, 'OAUTH2_ERROR_RESPONSE');
      assert.equal(error.error, 'invalid_client');
      assert.equal(error.status, 401);
      return true;
    });
    assert.ok(new lib.TokenRequestError('TOKEN_RESPONSE_INVALID', 'x') instanceof lib.ClientCredentialsError);

    stage = 'private_key_jwt (jose loaded on demand through import())';
    const signed = lib.installClientCredentials(axios.create({ baseURL: api.origin }), {
      tokenUrl,
      clientId: CLIENT_ID,
      privateKey: assertionKeys.privateKey,
      store: new lib.MemoryTokenStore(),
    });
    const signedToken = (await signed.getToken()).accessToken;
    assert.equal(signedToken, issued.at(-1), `${label}: private_key_jwt token`);

    handle.eject();
    waiting.eject();
    rejected.eject();
    signed.eject();
  } finally {
    stage = 'closing the servers';
    await Promise.all([close(tokenEndpoint.server), close(api.server)]);
    clearTimeout(watchdog);
  }
  console.log(`smoke ${label}: ok`);
  // Nothing of the library may keep a finished script alive (an unref'd timer never does).
  setTimeout(() => {
    console.error(`smoke ${label}: the process did not exit by itself within 10 s of finishing`);
    process.exit(1);
  }, 10_000).unref();
}

module.exports = { smoke };
