// A real OAuth 2.0 authorization server (oidc-provider v9) plus a protected
// resource server and an admin API, all on 127.0.0.1 with ephemeral ports,
// started in the calling process:
//
//   import { startOidcServers } from './oidc-servers.mjs';
//   const servers = await startOidcServers({ tokenTtlSeconds: 60 });
//   servers.stats(); servers.reset(); servers.revokeAll();
//   await servers.close();
//
// Types: oidc-servers.d.mts. jest specs (CommonJS, which cannot load the
// ESM-only oidc-provider) use spec/support/oidc.ts instead, which runs these
// servers in a child process through the CLI wrapper oidc-server.mjs.
//
// Importing this module has no side effects. oidc-provider is imported when the
// servers start; it may print notices with console.info/warn then (e.g. an
// "Unsupported runtime" warning on Node 20) and on requests. This module never
// touches `console`, process signals or stdin: callers that care filter those.
//
// Servers:
//   issuer   http://127.0.0.1:<p1>          oidc-provider: token endpoint /token, plus
//                                            /token/introspection (RFC 7662, any client),
//                                            /token/revocation (RFC 7009, own tokens), /jwks
//   apiUrl   http://127.0.0.1:<p2>          resource server (no trailing slash); Bearer token required
//              any path          -> 200 {ok:true, path, clientId, scope}
//              /slow?ms=N        -> same, after waiting N ms
//              /stream-echo      -> same plus {length} = request body byte length
//              no/invalid token  -> 401 + WWW-Authenticate: Bearer [error="invalid_token"]
//   adminUrl http://127.0.0.1:<p3>/__admin  admin API, no auth (the same state as
//                                            stats()/reset()/revokeAll(), over HTTP)
//              GET  /__admin/stats       -> {tokenRequests, tokenSuccesses, tokenFailures,
//                                            apiRequests, apiUnauthorized}
//              POST /__admin/reset       -> zero the counters (204)
//              POST /__admin/revoke-all  -> destroy every access token issued so far (204)
//              GET  /__admin/discovery-stats -> {metadataRequests}: GETs of /.well-known/*
//                                            (RFC 8414 and OpenID Connect Discovery metadata);
//                                            zeroed by reset() too
//
// Clients may use any token endpoint auth method oidc-provider supports by default, including
// private_key_jwt (give the client `jwks` with its public keys) and client_secret_jwt; client
// assertions are checked for replays (a reused jti is rejected).
//
// DPoP (RFC 9449): oidc-provider 9 has features.dPoP on by default, so a token request with a
// `DPoP` proof gets a DPoP-bound token (token_type "DPoP", cnf.jkt) from every instance. The
// resource server accepts `Authorization: DPoP <token>` with a proof it verifies itself (typ,
// alg, signature with the embedded public JWK, htm, htu, ath, iat within 60 s, jti not seen
// before, key thumbprint = the token's jkt) and refuses a bound token sent as Bearer. With the
// `dpop` option (off by default):
//   dpop.requireNonce     the token endpoint requires a DPoP nonce (400 use_dpop_nonce first)
//   dpop.apiRequireNonce  the resource server requires its own nonce (401 DPoP
//                         error="use_dpop_nonce" with a DPoP-Nonce header first)
//   GET /__admin/dpop-stats -> {proofs, distinctJti, nonceChallenges, rejected}; zeroed by reset()
//
// RFC 8707 resource indicators: a token request with resource=<apiUrl>/ (with or
// without the trailing slash) gets an opaque token whose audience is the API; any
// other resource value is rejected with invalid_target.

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';

const HOST = '127.0.0.1';
const DEFAULT_TTL_SECONDS = 3600;
const SCOPES = ['invoices:read', 'invoices:write', 'reports:read'];

/**
 * demo-client/demo-secret (client_secret_basic) and post-client/post-secret (client_secret_post),
 * both allowed "invoices:read invoices:write reports:read".
 */
export const DEFAULT_CLIENTS = Object.freeze([
  Object.freeze({
    client_id: 'demo-client',
    client_secret: 'demo-secret',
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: SCOPES.join(' '),
  }),
  Object.freeze({
    client_id: 'post-client',
    client_secret: 'post-secret',
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_post',
    scope: SCOPES.join(' '),
  }),
]);

const ACCESS_TOKEN_MODELS = ['ClientCredentials', 'AccessToken'];

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    // The callback gets an error when the server was not listening: closed is closed.
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The client certificate of a TLS connection, or undefined (none, or not TLS). */
function peerCertificate(socket) {
  const raw = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate().raw : undefined;
  return raw ? new crypto.X509Certificate(raw) : undefined;
}

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function readBodyLength(req) {
  return new Promise((resolve, reject) => {
    let length = 0;
    req.on('data', (chunk) => {
      length += chunk.length;
    });
    req.on('end', () => resolve(length));
    req.on('error', reject);
  });
}

/**
 * Starts the authorization server, the resource server and the admin API.
 *
 * @param {{ clients?: readonly object[], tokenTtlSeconds?: number,
 *   dpop?: { requireNonce?: boolean, apiRequireNonce?: boolean } }} [options]
 *   `clients`: oidc-provider client metadata objects; replaces {@link DEFAULT_CLIENTS}.
 *   `tokenTtlSeconds`: access token lifetime in seconds. Default is 3600 (1 hour).
 *   `dpop`: nonces required by the token endpoint and/or the resource server. Default is none.
 * @throws {TypeError} When an option is invalid.
 * @throws {Error} When a client's metadata is invalid (`invalid client "<id>": <reason>`) or a
 *   server cannot listen. Whatever was started is closed first.
 */
export async function startOidcServers({
  clients = DEFAULT_CLIENTS,
  tokenTtlSeconds = DEFAULT_TTL_SECONDS,
  dpop = {},
  tls,
} = {}) {
  if (typeof dpop !== 'object' || dpop === null) throw new TypeError('"dpop" must be an object');
  if (!Array.isArray(clients)) throw new TypeError('"clients" must be an array of client metadata objects');
  if (!Number.isSafeInteger(tokenTtlSeconds) || tokenTtlSeconds <= 0) {
    throw new TypeError(`"tokenTtlSeconds" must be a positive integer, got ${JSON.stringify(tokenTtlSeconds)}`);
  }
  const ttl = tokenTtlSeconds;

  // Lazily, so that importing this module prints nothing: oidc-provider warns at import time.
  const { default: Provider, errors } = await import('oidc-provider');
  const jose = await import('jose');

  // Every scope any client may hold must be a "static" scope of the provider:
  // without resource indicators, oidc-provider 9 silently drops requested scopes
  // that are not in `configuration.scopes` from client_credentials tokens.
  const staticScopes = new Set(['openid', 'offline_access', ...SCOPES]);
  for (const c of clients) {
    for (const s of String(c?.scope ?? '').split(' ')) if (s) staticScopes.add(s);
  }

  // -------------------------------------------------------------------------
  // Storage: a plain Map adapter (the built-in memory adapter is an LRU capped at
  // 1000 entries, which burst tests could overflow, and it warns on stdout/stderr).
  // One Map per startOidcServers() call, so several instances never share tokens.
  // -------------------------------------------------------------------------
  const store = new Map(); // key `${model}:${id}` -> { payload, expiresAt }

  class MapAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
      store.set(this.key(id), { payload, expiresAt });
    }

    async find(id) {
      const entry = store.get(this.key(id));
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        store.delete(this.key(id));
        return undefined;
      }
      return entry.payload;
    }

    async findByUid(uid) {
      for (const [key, entry] of store) {
        if (key.startsWith(`${this.model}:`) && entry.payload.uid === uid) return entry.payload;
      }
      return undefined;
    }

    async findByUserCode(userCode) {
      for (const [key, entry] of store) {
        if (key.startsWith(`${this.model}:`) && entry.payload.userCode === userCode) return entry.payload;
      }
      return undefined;
    }

    async consume(id) {
      const entry = store.get(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id) {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId) {
      for (const [key, entry] of store) {
        if (entry.payload.grantId === grantId) store.delete(key);
      }
    }
  }

  function revokeAllAccessTokens() {
    let n = 0;
    for (const key of [...store.keys()]) {
      if (ACCESS_TOKEN_MODELS.some((m) => key.startsWith(`${m}:`))) {
        store.delete(key);
        n += 1;
      }
    }
    return n;
  }

  // -------------------------------------------------------------------------
  // Counters
  // -------------------------------------------------------------------------
  const stats = {
    tokenRequests: 0,
    tokenSuccesses: 0,
    tokenFailures: 0,
    apiRequests: 0,
    apiUnauthorized: 0,
  };
  // Separate from `stats`, whose exact shape callers compare.
  const discoveryStats = { metadataRequests: 0 };
  const dpopStats = { proofs: 0, distinctJti: 0, nonceChallenges: 0, rejected: 0 };
  // Every jti ever accepted (RFC 9449 §11.1: a proof is used once); never cleared by reset().
  const seenJti = new Set();
  function resetStats() {
    for (const k of Object.keys(stats)) stats[k] = 0;
    for (const k of Object.keys(dpopStats)) dpopStats[k] = 0;
    discoveryStats.metadataRequests = 0;
  }

  // -------------------------------------------------------------------------
  // HTTP servers (listen first so the issuer/API URLs are known)
  // -------------------------------------------------------------------------
  // With `tls`, the provider and the API speak HTTPS and ask for a client certificate (RFC 8705):
  // verified against `tls.ca` for tls_client_auth, any for self_signed_tls_client_auth.
  const tlsOptions = tls && { ...tls, requestCert: true, rejectUnauthorized: false };
  const providerServer = tlsOptions ? https.createServer(tlsOptions) : http.createServer();
  const apiServer = tlsOptions ? https.createServer(tlsOptions) : http.createServer();
  const adminServer = http.createServer();
  const servers = [providerServer, apiServer, adminServer];

  let closing;
  const close = () => {
    closing ??= Promise.all(servers.map(closeServer)).then(() => undefined);
    return closing;
  };

  try {
    const [providerPort, apiPort, adminPort] = await Promise.all(servers.map(listen));
    const scheme = tls ? 'https' : 'http';
    const issuer = `${scheme}://${HOST}:${providerPort}`;
    const apiUrl = `${scheme}://${HOST}:${apiPort}`;
    const adminUrl = `http://${HOST}:${adminPort}/__admin`;
    const apiResourceIds = new Set([apiUrl, `${apiUrl}/`]);

    // -----------------------------------------------------------------------
    // oidc-provider
    // -----------------------------------------------------------------------
    // Access tokens are opaque, so signing keys only back /jwks (and ID tokens, which
    // client_credentials never issues). An EC key is generated in ~1 ms (RSA: 100+ ms).
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-es256', alg: 'ES256', use: 'sig' };

    const provider = new Provider(issuer, {
      adapter: MapAdapter,
      // Copies: the frozen defaults and the caller's objects stay as they were.
      clients: structuredClone(clients),
      jwks: { keys: [signingJwk] },
      cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
      scopes: [...staticScopes],
      routes: {
        token: '/token',
        introspection: '/token/introspection',
        revocation: '/token/revocation',
        jwks: '/jwks',
      },
      features: {
        devInteractions: { enabled: false },
        // On by default in oidc-provider 9; a nonce secret only when a nonce is required.
        dPoP: dpop.requireNonce
          ? { enabled: true, nonceSecret: crypto.randomBytes(32), requireNonce: () => true }
          : { enabled: true },
        clientCredentials: { enabled: true },
        mTLS: tls
          ? {
              enabled: true,
              certificateBoundAccessTokens: true,
              tlsClientAuth: true,
              selfSignedTlsClientAuth: true,
              getCertificate: (ctx) => peerCertificate(ctx.req.socket),
              certificateAuthorized: (ctx) => ctx.req.socket.authorized === true,
              certificateSubjectMatches: (ctx, property, expected) =>
                property === 'tls_client_auth_subject_dn' &&
                peerCertificate(ctx.req.socket)?.subject.replace(/\n/g, ',') === expected,
            }
          : { enabled: false },
        // RFC 7662: any authenticated client may introspect (as a resource server would).
        introspection: { enabled: true, allowedPolicy: async () => true },
        // RFC 7009: a client may only revoke its own tokens.
        revocation: {
          enabled: true,
          allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
        },
        resourceIndicators: {
          enabled: true,
          // No `resource` parameter -> plain opaque token, scopes from `scopes` above.
          defaultResource: async () => undefined,
          getResourceServerInfo: async (_ctx, resourceIndicator) => {
            if (!apiResourceIds.has(resourceIndicator)) {
              throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
            }
            return {
              scope: [...staticScopes].join(' '),
              audience: `${apiUrl}/`,
              accessTokenFormat: 'opaque',
              accessTokenTTL: ttl,
            };
          },
        },
      },
      ttl: {
        // Explicit functions also avoid oidc-provider's "you SHOULD change" notices.
        AccessToken: () => ttl,
        ClientCredentials: () => ttl,
      },
      clientDefaults: {
        grant_types: ['client_credentials'],
        response_types: [],
        id_token_signed_response_alg: 'ES256',
        token_endpoint_auth_method: 'client_secret_basic',
      },
      clientBasedCORS: () => true,
      ...(tls
        ? {
            clientAuthMethods: [
              'client_secret_basic',
              'client_secret_jwt',
              'client_secret_post',
              'private_key_jwt',
              'tls_client_auth',
              'self_signed_tls_client_auth',
            ],
          }
        : {}),
      // Errors are expected in tests (invalid_client, ...); keep them off the console.
      renderError: async (ctx, out) => {
        ctx.type = 'json';
        ctx.body = out;
      },
    });
    provider.proxy = false;
    // Expected token endpoint failures would otherwise be logged by koa.
    provider.silent = true;

    // Count every POST to the token endpoint, whatever its outcome. provider.use()
    // inserts this before oidc-provider's own routing/error handling, so by the time
    // `await next()` returns, ctx.status is the final status (400/401 included).
    provider.use(async (ctx, next) => {
      const isToken = ctx.method === 'POST' && ctx.path === '/token';
      if (isToken) stats.tokenRequests += 1;
      if (ctx.method === 'GET' && ctx.path.startsWith('/.well-known/')) discoveryStats.metadataRequests += 1;
      try {
        await next();
      } finally {
        if (isToken) {
          if (ctx.status === 200) stats.tokenSuccesses += 1;
          else stats.tokenFailures += 1;
        }
      }
    });

    // oidc-provider validates static client metadata lazily (on first use, as a 400
    // invalid_client_metadata from the token endpoint). Fail fast at startup instead.
    for (const c of clients) {
      let client;
      try {
        client = await provider.Client.find(String(c?.client_id));
      } catch (err) {
        throw new Error(
          `invalid client ${JSON.stringify(c?.client_id)}: ${err?.error_description ?? err?.message ?? err}`,
        );
      }
      if (!client) throw new Error(`client ${JSON.stringify(c?.client_id)} could not be loaded`);
    }

    providerServer.on('request', provider.callback());

    // -----------------------------------------------------------------------
    // Resource server
    // -----------------------------------------------------------------------
    async function validateAccessToken(value) {
      const token = await provider.ClientCredentials.find(value);
      if (!token || token.isExpired) return undefined;
      if (token.aud !== undefined) {
        const aud = Array.isArray(token.aud) ? token.aud : [token.aud];
        if (!aud.some((a) => apiResourceIds.has(a))) return undefined;
      }
      return token;
    }

    // The resource server's own nonce (RFC 9449 §9), when it requires one.
    const apiNonce = crypto.randomBytes(16).toString('base64url');

    /** Verifies a DPoP proof for `token` (RFC 9449 §4.3, §7.1); returns an error code or undefined. */
    async function checkProof(req, url, proof, value, token) {
      if (typeof proof !== 'string') return 'invalid_dpop_proof';
      let payload;
      let protectedHeader;
      try {
        ({ payload, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, {
          typ: 'dpop+jwt',
          algorithms: ['ES256', 'EdDSA', 'Ed25519'],
        }));
      } catch {
        return 'invalid_dpop_proof';
      }
      if (protectedHeader.jwk?.d !== undefined) return 'invalid_dpop_proof';
      if (payload.htm !== req.method) return 'invalid_dpop_proof';
      if (payload.htu !== `${apiUrl}${url.pathname}`) return 'invalid_dpop_proof';
      if (payload.ath !== crypto.createHash('sha256').update(value).digest('base64url')) return 'invalid_dpop_proof';
      if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > 60)
        return 'invalid_dpop_proof';
      if (typeof payload.jti !== 'string' || seenJti.has(payload.jti)) return 'invalid_dpop_proof';
      if ((await jose.calculateJwkThumbprint(protectedHeader.jwk)) !== token.jkt) return 'invalid_dpop_proof';
      if (dpop.apiRequireNonce && payload.nonce !== apiNonce) return 'use_dpop_nonce';
      seenJti.add(payload.jti);
      dpopStats.proofs += 1;
      dpopStats.distinctJti = seenJti.size;
      return undefined;
    }

    async function handleApi(req, res) {
      stats.apiRequests += 1;
      const url = new URL(`${apiUrl}${req.url ?? '/'}`);

      const auth = req.headers.authorization;
      const match = typeof auth === 'string' ? /^(Bearer|DPoP)[ ]+([^ ]+)[ ]*$/i.exec(auth) : null;
      const scheme = match?.[1].toLowerCase();
      let token;
      if (match) token = await validateAccessToken(match[2]);
      // A bound token is only good with a proof of its key (RFC 9449 §7.1): never as Bearer.
      if (token && (scheme === 'dpop') !== (token.jkt !== undefined)) token = undefined;
      // A certificate-bound token only over a connection with that certificate (RFC 8705 §3).
      if (token && token['x5t#S256'] !== undefined) {
        const peer = peerCertificate(req.socket);
        const thumbprint = peer && crypto.createHash('sha256').update(peer.raw).digest('base64url');
        if (thumbprint !== token['x5t#S256']) token = undefined;
      }
      let dpopError;
      if (token && scheme === 'dpop') dpopError = await checkProof(req, url, req.headers.dpop, match[2], token);

      if (dpopError) {
        stats.apiUnauthorized += 1;
        if (dpopError === 'use_dpop_nonce') dpopStats.nonceChallenges += 1;
        else dpopStats.rejected += 1;
        req.resume();
        sendJson(
          res,
          401,
          { ok: false, error: dpopError },
          {
            'www-authenticate': `DPoP algs="ES256 EdDSA", error="${dpopError}"`,
            ...(dpop.apiRequireNonce ? { 'dpop-nonce': apiNonce } : {}),
          },
        );
        return;
      }

      if (!token) {
        stats.apiUnauthorized += 1;
        // RFC 6750 §3.1: no error code when the request carried no credentials.
        const challenge =
          auth === undefined
            ? 'Bearer realm="api"'
            : scheme === 'dpop'
              ? 'DPoP algs="ES256 EdDSA", error="invalid_token"'
              : 'Bearer realm="api", error="invalid_token", error_description="the access token is invalid or expired"';
        req.resume();
        sendJson(
          res,
          401,
          { ok: false, error: auth === undefined ? 'unauthorized' : 'invalid_token' },
          { 'www-authenticate': challenge },
        );
        return;
      }

      const body = { ok: true, path: url.pathname, clientId: token.clientId, scope: token.scope ?? '' };

      if (url.pathname === '/stream-echo') {
        body.length = await readBodyLength(req);
      } else {
        req.resume();
      }

      if (url.pathname.startsWith('/slow')) {
        const ms = Math.max(0, Math.min(Number(url.searchParams.get('ms') ?? 0) || 0, 600_000));
        await new Promise((r) => setTimeout(r, ms));
      }

      if (!res.destroyed) sendJson(res, 200, body);
    }

    apiServer.on('request', (req, res) => {
      handleApi(req, res).catch((err) => {
        process.stderr.write(`resource server error: ${err?.stack ?? err}\n`);
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'server_error' });
        else res.destroy();
      });
    });

    // -----------------------------------------------------------------------
    // Admin API
    // -----------------------------------------------------------------------
    adminServer.on('request', (req, res) => {
      req.resume();
      const { pathname } = new URL(`http://${HOST}${req.url ?? '/'}`);
      if (req.method === 'GET' && pathname === '/__admin/stats') {
        sendJson(res, 200, stats);
      } else if (req.method === 'GET' && pathname === '/__admin/discovery-stats') {
        sendJson(res, 200, discoveryStats);
      } else if (req.method === 'GET' && pathname === '/__admin/dpop-stats') {
        sendJson(res, 200, dpopStats);
      } else if (req.method === 'POST' && pathname === '/__admin/reset') {
        resetStats();
        res.writeHead(204).end();
      } else if (req.method === 'POST' && pathname === '/__admin/revoke-all') {
        revokeAllAccessTokens();
        res.writeHead(204).end();
      } else {
        sendJson(res, 404, { error: 'not_found' });
      }
    });

    return {
      issuer,
      tokenUrl: `${issuer}/token`,
      apiUrl,
      adminUrl,
      stats: () => ({ ...stats }),
      discoveryStats: () => ({ ...discoveryStats }),
      dpopStats: () => ({ ...dpopStats }),
      reset: resetStats,
      revokeAll: revokeAllAccessTokens,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
