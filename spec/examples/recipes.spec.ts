import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import axios from 'axios';
import type { RecipeEnv } from '../../examples/recipes/env';
import { main as legacyDefaultAxios } from '../../examples/recipes/legacy-default-axios';
import { main as nestjsHttpService } from '../../examples/recipes/nestjs-http-service';
import { main as oneInstancePerApi } from '../../examples/recipes/one-instance-per-api';
import { main as openTelemetry } from '../../examples/recipes/opentelemetry';
import { main as prometheus } from '../../examples/recipes/prometheus';
import { main as perRequestScopes } from '../../examples/recipes/per-request-scopes';
import { main as rotatingSecret } from '../../examples/recipes/rotating-secret';
import { createBilling as workloadIdentityBilling } from '../../examples/recipes/workload-identity';
import { main as testingYourCode, withoutInjection } from '../../examples/recipes/testing-your-code';
import { main as withAxiosRetry } from '../../examples/recipes/with-axios-retry';
import {
  json,
  startApiServer,
  startLoopbackServer,
  startTokenServer,
  type LoopbackServer,
  type SeenRequest,
} from '../support/loopback';

const ROOT = path.join(__dirname, '..', '..');

type TokenServer = Awaited<ReturnType<typeof startTokenServer>>;

interface Servers {
  tokens: TokenServer;
  billing: LoopbackServer;
  reports: LoopbackServer;
  elsewhere: LoopbackServer;
  env: RecipeEnv;
}

let servers: Servers;

beforeEach(async () => {
  const tokens = await startTokenServer();
  const accepts = (token: string): boolean => tokens.issued.includes(token);
  const [billing, reports, elsewhere] = await Promise.all([
    startApiServer(accepts),
    startApiServer(accepts),
    startLoopbackServer((_request, response) => json(response, 200, { received: true })),
  ]);
  servers = {
    tokens,
    billing,
    reports,
    elsewhere,
    env: {
      tokenUrl: tokens.tokenUrl,
      clientId: 'recipe-client',
      clientSecret: 'recipe-secret',
      billingUrl: billing.origin,
      reportsUrl: reports.origin,
      elsewhereUrl: elsewhere.origin,
    },
  };
});

afterEach(async () => {
  await Promise.all([servers.tokens, servers.billing, servers.reports, servers.elsewhere].map((s) => s.close()));
});

const scopeOf = (request: SeenRequest): string | null => new URLSearchParams(request.body).get('scope');
const authorizations = (server: LoopbackServer): Array<string | undefined> =>
  server.requests.map((request) => request.headers.authorization);

describe('examples/recipes/one-instance-per-api.ts', () => {
  it('gets one token per scope set and shares it between instances with equal settings', async () => {
    const { tokens, billing, reports, env } = servers;

    await expect(oneInstancePerApi(env)).resolves.toEqual({ statuses: [200, 200, 200] });

    expect(tokens.requests.map(scopeOf).sort()).toEqual(['invoices:read invoices:write', 'reports:read']);
    // The token server issues in the order it receives requests.
    const tokenFor = (scope: string): string =>
      `Bearer ${tokens.issued[tokens.requests.findIndex((r) => scopeOf(r) === scope)]}`;
    expect(authorizations(billing)).toEqual([
      tokenFor('invoices:read invoices:write'),
      tokenFor('invoices:read invoices:write'),
    ]);
    expect(authorizations(reports)).toEqual([tokenFor('reports:read')]);
    expect(billing.requests.map((r) => r.url).sort()).toEqual(['/audit', '/invoices']);
  });

  it('runs on its own as a child process with the environment variables', async () => {
    const { tokens, env } = servers;
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/recipes/one-instance-per-api.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'],
        TOKEN_URL: env.tokenUrl,
        CLIENT_ID: env.clientId,
        CLIENT_SECRET: env.clientSecret,
        BILLING_URL: env.billingUrl,
        REPORTS_URL: env.reportsUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);

    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('"statuses": [\n    200,') });
    expect(tokens.requests).toHaveLength(2);
  });
});

describe('examples/recipes/per-request-scopes.ts', () => {
  it('gets one token per scope set and sends each request the token of its own scopes', async () => {
    const { tokens, billing, env } = servers;

    await expect(perRequestScopes(env)).resolves.toEqual({ statuses: [200, 200, 200] });

    expect(tokens.requests.map(scopeOf).sort()).toEqual(['invoices:read', 'invoices:read invoices:write']);
    const tokenFor = (scope: string): string =>
      `Bearer ${tokens.issued[tokens.requests.findIndex((r) => scopeOf(r) === scope)]}`;
    const byRequest = Object.fromEntries(
      billing.requests.map((r) => [`${r.method} ${r.url}`, r.headers.authorization]),
    );
    expect(byRequest).toEqual({
      'GET /invoices': tokenFor('invoices:read'),
      'GET /invoices/1': tokenFor('invoices:read'),
      'POST /invoices': tokenFor('invoices:read invoices:write'),
    });
  });
});

describe('examples/recipes/rotating-secret.ts', () => {
  it('sends the secret the file holds at the time of the exchange', async () => {
    const { tokens, env } = servers;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'acc-secret-')), 'client-secret');
    writeFileSync(file, 'rotated-secret\n');

    await expect(rotatingSecret(env, file)).resolves.toEqual({ status: 200 });

    const basic = Buffer.from('recipe-client:rotated-secret').toString('base64');
    expect(tokens.requests.map((r) => r.headers.authorization)).toEqual([`Basic ${basic}`]);
  });

  it('recovers a rotation during the exchange with one invalid_client answer and one more token request', async () => {
    const { tokens, env } = servers;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'acc-secret-')), 'client-secret');
    writeFileSync(file, 'old-secret\n');
    const basic = (secret: string): string => `Basic ${Buffer.from(`recipe-client:${secret}`).toString('base64')}`;
    // The server has rotated to new-secret; the secrets agent rewrites the file a moment later.
    tokens.handle((request, response) => {
      if (request.headers.authorization !== basic('new-secret')) {
        writeFileSync(file, 'new-secret\n');
        return json(response, 401, { error: 'invalid_client' });
      }
      tokens.issued.push('token-after-rotation');
      return json(response, 200, { access_token: 'token-after-rotation', token_type: 'Bearer', expires_in: 3600 });
    });

    await expect(rotatingSecret(env, file)).resolves.toEqual({ status: 200 });

    expect(tokens.requests.map((r) => r.headers.authorization)).toEqual([basic('old-secret'), basic('new-secret')]);
    expect(authorizations(servers.billing)).toEqual(['Bearer token-after-rotation']);
  });
});

describe('examples/recipes/workload-identity.ts', () => {
  it('sends the assertion the token file holds, read anew on every exchange', async () => {
    const { tokens, billing, env } = servers;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'acc-sa-token-')), 'token');
    writeFileSync(file, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvbmUifQ.c2ln\n');
    const { billing: instance, handle } = workloadIdentityBilling(env, file);

    expect((await instance.get('/invoices')).status).toBe(200);
    // The kubelet rotates the projected token; the next exchange sends the new one.
    writeFileSync(file, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0d28ifQ.c2ln\n');
    await handle.invalidate();
    expect((await instance.get('/invoices')).status).toBe(200);

    const sent = tokens.requests.map((r) => new URLSearchParams(r.body));
    expect(sent.map((body) => body.get('client_assertion'))).toEqual([
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvbmUifQ.c2ln',
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0d28ifQ.c2ln',
    ]);
    expect(sent.map((body) => body.get('client_assertion_type'))).toEqual(
      Array.from({ length: 2 }, () => 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'),
    );
    expect(tokens.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
    expect(billing.requests).toHaveLength(2);
  });
});

describe('examples/recipes/legacy-default-axios.ts', () => {
  it('sends the token through the default export to the listed origins only', async () => {
    const { tokens, billing, reports, elsewhere, env } = servers;

    await expect(legacyDefaultAxios(env)).resolves.toEqual({ statuses: [200, 200, 200] });

    expect(tokens.requests).toHaveLength(1);
    expect(authorizations(billing)).toEqual(['Bearer token-1']);
    expect(authorizations(reports)).toEqual(['Bearer token-1']);
    expect(authorizations(elsewhere)).toEqual([undefined]);
  });

  it('leaves the default export without the plugin once it has run', async () => {
    const { billing, env } = servers;
    await legacyDefaultAxios(env);

    await expect(axios.get(`${env.billingUrl}/after`)).rejects.toMatchObject({ response: { status: 401 } });
    expect(authorizations(billing).at(-1)).toBeUndefined();
  });
});

describe('examples/recipes/nestjs-http-service.ts', () => {
  it('authenticates the module HttpService with one token exchange, in two boots of a real Nest app', async () => {
    const { tokens, billing, elsewhere, env } = servers;
    const baseURL = axios.defaults.baseURL;

    await expect(nestjsHttpService(env)).resolves.toEqual({ calls: 3 });
    await expect(nestjsHttpService(env)).resolves.toEqual({ calls: 3 });

    expect(tokens.requests.map(scopeOf)).toEqual(['invoices:read']);
    expect(authorizations(billing)).toEqual(Array.from({ length: 6 }, () => 'Bearer token-1'));
    expect(billing.requests.map((r) => r.url)).toEqual(Array.from({ length: 6 }, () => '/invoices'));
    // The default export is untouched: no baseURL, no token.
    expect(axios.defaults.baseURL).toBe(baseURL);
    await axios.get(`${env.elsewhereUrl}/unrelated`);
    expect(authorizations(elsewhere)).toEqual([undefined]);
  });
});

describe('examples/recipes/with-axios-retry.ts', () => {
  it('retries a 503 with axios-retry and recovers a 401 with one renewal, each exactly once', async () => {
    const { tokens, billing, env } = servers;
    const revoked = new Set<string>();
    let calls = 0;
    billing.handle((request, response) => {
      calls += 1;
      const token = String(request.headers.authorization).replace(/^Bearer /, '');
      if (calls === 1) return json(response, 503, { error: 'try again' });
      if (calls === 2) revoked.add(token);
      if (revoked.has(token) || !tokens.issued.includes(token)) {
        return json(response, 401, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      }
      return json(response, 200, { ok: true });
    });

    await expect(withAxiosRetry(env)).resolves.toEqual({ status: 200 });

    expect(authorizations(billing)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
    expect(tokens.requests).toHaveLength(2);
  });
});

describe('examples/recipes/testing-your-code.ts', () => {
  it('tests application code against a stubbed token endpoint', async () => {
    await expect(testingYourCode()).resolves.toEqual({ tokenRequests: 2, apiRequests: 5 });
  });

  it('tests an application that injects nothing: MockAdapter(axios) before the install, a reset store per test', async () => {
    await expect(withoutInjection()).resolves.toEqual({ tokenRequests: 2 });
  });
});

describe('examples/recipes/prometheus.ts', () => {
  it('exposes one exchange, three waits and two cache hits under the installation name', async () => {
    const { tokens, billing, env } = servers;

    const { metrics } = await prometheus(env);

    expect(tokens.requests).toHaveLength(1);
    expect(billing.requests).toHaveLength(5);
    const lines = metrics.split('\n');
    expect(lines).toContain(
      'oauth_client_credentials_exchanges_total{name="billing",outcome="success",error_type=""} 1',
    );
    expect(lines).toContain(
      'oauth_client_credentials_exchange_duration_seconds_count{name="billing",outcome="success"} 1',
    );
    expect(lines).toContain('oauth_client_credentials_waits_total{name="billing"} 3');
    expect(lines).toContain('oauth_client_credentials_cache_hits_total{name="billing"} 2');
    expect(metrics).not.toContain('token-1');
    expect(metrics).not.toContain(env.clientSecret);
  });
});

describe('examples/recipes/opentelemetry.ts', () => {
  it('records one exchange span and the metrics of a burst of three and one warm request', async () => {
    const { tokens, env } = servers;

    const { metrics, spans } = await openTelemetry(env);

    expect(tokens.requests).toHaveLength(1);
    expect(metrics).toEqual({
      'oauth.client_credentials.exchanges': 1,
      'oauth.client_credentials.exchange.duration': 1,
      'oauth.client_credentials.waits': 3,
      'oauth.client_credentials.cache_hits': 1,
    });
    expect(spans).toEqual([
      {
        name: 'oauth.client_credentials.exchange',
        attributes: expect.objectContaining({
          'oauth.client_credentials.name': 'billing',
          'oauth.client_credentials.outcome': 'success',
          'oauth.client_credentials.attempts': 1,
          'server.address': '127.0.0.1',
        }) as unknown,
      },
    ]);
  });
});
