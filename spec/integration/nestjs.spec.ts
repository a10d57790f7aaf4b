import 'reflect-metadata';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { inspect, promisify } from 'node:util';
import { HttpModule, HttpService } from '@nestjs/axios';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import axios from 'axios';
import { firstValueFrom } from 'rxjs';
import type { ClientCredentialsHandle } from '../../lib';
import {
  CLIENT_CREDENTIALS_HANDLE,
  ClientCredentialsModule,
  type ClientCredentialsModuleOptions,
} from '../../lib/nestjs';
import { json, startApiServer, startLoopbackServer, startTokenServer, type LoopbackServer } from '../support/loopback';

type TokenServer = Awaited<ReturnType<typeof startTokenServer>>;

let tokens: TokenServer;
let billing: LoopbackServer;
let reports: LoopbackServer;
let elsewhere: LoopbackServer;

beforeEach(async () => {
  tokens = await startTokenServer();
  const accepts = (token: string): boolean => tokens.issued.includes(token);
  [billing, reports, elsewhere] = await Promise.all([
    startApiServer(accepts),
    startApiServer(accepts),
    startLoopbackServer((_request, response) => json(response, 200, { received: true })),
  ]);
});
afterEach(async () => {
  await Promise.all([tokens, billing, reports, elsewhere].map((server) => server.close()));
});

/** Which client each token was issued to, from the Basic credentials of its token request. */
const clientOf = (token: string): string => {
  const request = tokens.requests[tokens.issued.indexOf(token)]!;
  const basic = String(request.headers.authorization).replace(/^Basic /, '');
  return decodeURIComponent(Buffer.from(basic, 'base64').toString().split(':')[0]!);
};
const tokenClients = (server: LoopbackServer): string[] =>
  server.requests.map((request) => clientOf(String(request.headers.authorization).replace(/^Bearer /, '')));

/** A feature module that imports one registration and exposes its HttpService and handle under its own tokens. */
function featureModule(name: string, registration: DynamicModule): DynamicModule {
  class Feature {}
  Object.defineProperty(Feature, 'name', { value: `${name}Module` });
  Module({
    imports: [registration],
    providers: [
      { provide: `${name}:http`, useFactory: (http: HttpService) => http, inject: [HttpService] },
      { provide: `${name}:handle`, useFactory: (h: ClientCredentialsHandle) => h, inject: [CLIENT_CREDENTIALS_HANDLE] },
    ],
    exports: [`${name}:http`, `${name}:handle`],
  })(Feature);
  return { module: Feature };
}

function options(api: LoopbackServer, clientId: string, scope: string): ClientCredentialsModuleOptions {
  return {
    http: { baseURL: api.origin, timeout: 10_000 },
    tokenUrl: tokens.tokenUrl,
    clientId,
    clientSecret: `${clientId}-secret`,
    scope,
  };
}

async function boot(): Promise<INestApplicationContext> {
  class AppModule {}
  Module({
    imports: [
      featureModule('Billing', ClientCredentialsModule.register(options(billing, 'billing-client', 'invoices:read'))),
      featureModule(
        'Reports',
        ClientCredentialsModule.registerAsync({
          useFactory: async () => options(reports, 'reports-client', 'reports:read'),
        }),
      ),
    ],
  })(AppModule);
  return NestFactory.createApplicationContext(AppModule, { logger: false });
}

describe('ClientCredentialsModule with @nestjs/core, @nestjs/common and @nestjs/axios', () => {
  it('shows why it exists: a plain HttpModule hands out the process-wide default axios', async () => {
    class PlainModule {}
    Module({ imports: [HttpModule] })(PlainModule);
    const app = await NestFactory.createApplicationContext(PlainModule, { logger: false });
    expect(app.get(HttpService, { strict: false }).axiosRef).toBe(axios);
    await app.close();
  });

  it('gives two client modules their own instances and tokens, through two boots, leaving the default axios alone', async () => {
    const defaultsBefore = { baseURL: axios.defaults.baseURL, headers: JSON.stringify(axios.defaults.headers) };
    const requestInterceptors = (): number =>
      (axios.interceptors.request as unknown as { handlers: unknown[] }).handlers.filter(Boolean).length;
    const interceptorsBefore = requestInterceptors();

    for (let round = 1; round <= 2; round++) {
      const app = await boot();
      const billingHttp = app.get<HttpService>('Billing:http', { strict: false });
      const reportsHttp = app.get<HttpService>('Reports:http', { strict: false });
      expect(billingHttp.axiosRef).not.toBe(axios);
      expect(billingHttp.axiosRef).not.toBe(reportsHttp.axiosRef);

      const responses = await Promise.all([
        firstValueFrom(billingHttp.get('/invoices')),
        billingHttp.axiosRef.get('/invoices'),
        firstValueFrom(reportsHttp.get('/summary')),
      ]);
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      const handle = app.get<ClientCredentialsHandle>('Billing:handle', { strict: false });
      // The second boot is served from the process-wide default store the first one filled.
      expect(handle.stats().exchanges).toBe(round === 1 ? 1 : 0);

      // An unrelated call through the default export gets no token and no baseURL.
      await axios.get(`${elsewhere.origin}/unrelated`);
      await app.close();
      expect(() => handle.stats()).toThrow('ClientCredentialsModule is not initialised');
    }

    expect(tokenClients(billing)).toEqual(['billing-client', 'billing-client', 'billing-client', 'billing-client']);
    expect(tokenClients(reports)).toEqual(['reports-client', 'reports-client']);
    expect(billing.requests.map((r) => r.url)).toEqual(['/invoices', '/invoices', '/invoices', '/invoices']);
    expect(elsewhere.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
    // One token per client: the second boot reuses the default store's tokens.
    expect(tokens.requests.map((r) => new URLSearchParams(r.body).get('scope')).sort()).toEqual([
      'invoices:read',
      'reports:read',
    ]);
    expect({ baseURL: axios.defaults.baseURL, headers: JSON.stringify(axios.defaults.headers) }).toEqual(
      defaultsBefore,
    );
    expect(requestInterceptors()).toBe(interceptorsBefore);
  });

  it('ejects at module destroy: the instance sends no token after the app is closed', async () => {
    const app = await boot();
    const http = app.get<HttpService>('Billing:http', { strict: false });
    await app.close();
    await expect(http.axiosRef.get('/after-close')).rejects.toMatchObject({ response: { status: 401 } });
    expect(billing.requests.map((r) => r.headers.authorization)).toEqual([undefined]);
  });

  it('keeps the secret and the token out of util.inspect and JSON.stringify of the handle', async () => {
    const app = await boot();
    const handle = app.get<ClientCredentialsHandle>('Billing:handle', { strict: false });
    const { accessToken } = await handle.getToken();
    for (const text of [inspect(handle, { depth: 10, showHidden: true }), JSON.stringify(handle)]) {
      expect(text).not.toContain('billing-client-secret');
      expect(text).not.toContain(accessToken);
    }
    await app.close();
  });

  it('fails the boot with the TypeError naming the option when the options are invalid', async () => {
    class BadModule {}
    Module({
      imports: [ClientCredentialsModule.register({ tokenUrl: tokens.tokenUrl, clientId: 'x', clientSecret: 'y' })],
    })(BadModule);
    await expect(
      NestFactory.createApplicationContext(BadModule, { logger: false, abortOnError: false }),
    ).rejects.toThrow(
      new TypeError(
        '"origins" option is required when the instance has no "baseURL": name the origins that may receive the token, or \'*\' for every origin',
      ),
    );
  });

  it('is not loaded by the main entry: importing it loads no @nestjs package', async () => {
    const script =
      "require('./lib'); console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('@nestjs'))))";
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: path.join(__dirname, '..', '..'),
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual([]);
  });
});
