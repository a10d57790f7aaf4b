/**
 * Recipe: NestJS, with `ClientCredentialsModule` from `axios-client-credentials/nestjs`.
 *
 * Each `ClientCredentialsModule.register()` / `registerAsync()` gives the module that imports it an
 * `HttpService` on an axios instance of its own (as `HttpModule.register()` does), installs the
 * plugin at module init and ejects it at module destroy. Do not install on the `HttpService` of a
 * plain `imports: [HttpModule]`: that one wraps the process-wide default axios, so the token and
 * the `baseURL` would reach every `axios.get()` in the process, and a second module or a second
 * app boot (a jest e2e `beforeEach`) would fail with "already has installClientCredentials()".
 *
 * In an application compiled with `experimentalDecorators` and `emitDecoratorMetadata` you write
 * the usual decorators:
 *
 *   @Injectable()
 *   export class BillingClient {
 *     constructor(private readonly http: HttpService) {}
 *     ...
 *   }
 *
 *   @Module({
 *     imports: [ClientCredentialsModule.registerAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory })],
 *     providers: [BillingClient],
 *     exports: [BillingClient],
 *   })
 *   export class BillingModule {}
 *
 * This file spells the same metadata without decorators (`Module()` called as a function, a
 * factory provider naming what it injects), so it runs under the project's strict tsconfig; the
 * test suite boots it with the real @nestjs/core.
 */
import 'reflect-metadata';
import { HttpService } from '@nestjs/axios';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientCredentialsModule } from '../../lib/nestjs';
import { envFromProcess, runIfMain, type RecipeEnv } from './env';

/** The part you copy: a client that only knows its `HttpService`. */
export class BillingClient {
  constructor(private readonly http: HttpService) {}

  async listInvoices(): Promise<unknown> {
    const { data } = await this.http.axiosRef.get('/invoices');
    return data;
  }
}

/** The feature module: its own authenticated instance, for the billing API only. */
export function billingModule(env: RecipeEnv): DynamicModule {
  class BillingModule {}
  Module({
    imports: [
      // With @nestjs/config: registerAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (config) => ({ ... }) }).
      ClientCredentialsModule.registerAsync({
        useFactory: () => ({
          http: { baseURL: env.billingUrl, timeout: 10_000 },
          tokenUrl: env.tokenUrl,
          clientId: env.clientId,
          clientSecret: env.clientSecret,
          scope: 'invoices:read',
        }),
      }),
    ],
    providers: [
      { provide: BillingClient, useFactory: (http: HttpService) => new BillingClient(http), inject: [HttpService] },
    ],
    exports: [BillingClient],
  })(BillingModule);
  return { module: BillingModule };
}

/** Boots an application context with the billing module, as `NestFactory.create()` would. */
export async function boot(env: RecipeEnv): Promise<INestApplicationContext> {
  class AppModule {}
  Module({ imports: [billingModule(env)] })(AppModule);
  return NestFactory.createApplicationContext(AppModule, { logger: false });
}

export async function main(env: RecipeEnv) {
  const app = await boot(env);
  try {
    const client = app.get(BillingClient, { strict: false });
    const results = await Promise.all([client.listInvoices(), client.listInvoices(), client.listInvoices()]);
    return { calls: results.length };
  } finally {
    await app.close();
  }
}

runIfMain(module, () => main(envFromProcess(['tokenUrl', 'clientId', 'clientSecret', 'billingUrl'])));
