import { randomUUID } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import type { DynamicModule, FactoryProvider, ModuleMetadata, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { installClientCredentials } from './install';
import type { ClientCredentialsOptions } from './options';
import type { AccessToken, ClientCredentialsHandle } from './types';

// The `./nestjs` subpath (package.json exports): the main entry never loads this file, so
// @nestjs/* stay optional peer dependencies. It uses no decorators: Nest reads a dynamic module's
// plain metadata, and factory providers name what they inject, so consumers need neither
// `experimentalDecorators` nor `emitDecoratorMetadata` for it.

/** Options of {@link ClientCredentialsModule.register}: the plugin's options plus the module's own axios settings. */
export type ClientCredentialsModuleOptions = ClientCredentialsOptions & {
  /**
   * Settings of this module's own axios instance, as `HttpModule.register()` takes them, e.g.
   * `{ baseURL: 'https://billing.example.com', timeout: 5000 }`. Its `baseURL` origin is the one
   * that receives the token. Default is none: then give `origins`.
   */
  http?: CreateAxiosDefaults | undefined;
};

/** Options of {@link ClientCredentialsModule.registerAsync}, as Nest's `useFactory` providers take them. */
export interface ClientCredentialsModuleAsyncOptions {
  /** Modules that export what {@link inject} names, e.g. `[ConfigModule]`. Default is none. */
  imports?: ModuleMetadata['imports'] | undefined;
  /** Providers handed to {@link useFactory}, in order, e.g. `[ConfigService]`. Default is none. */
  inject?: FactoryProvider['inject'] | undefined;
  /** Builds the options, once per application boot, from the injected providers. */
  useFactory: (...args: never[]) => ClientCredentialsModuleOptions | Promise<ClientCredentialsModuleOptions>;
}

/**
 * Injection token of the module's {@link ClientCredentialsHandle} (`getToken()`, `stats()`,
 * `invalidate()`), for `@Inject(CLIENT_CREDENTIALS_HANDLE)` or a factory's `inject`. Its methods
 * work once the module is initialised.
 */
export const CLIENT_CREDENTIALS_HANDLE = 'axios-client-credentials:handle';

const OPTIONS = 'axios-client-credentials:options';
const REGISTRATION = 'axios-client-credentials:registration';

/** The plugin's options: the module's without its `http` settings, which the plugin does not know. */
function pluginOptionsOf(moduleOptions: ClientCredentialsModuleOptions): ClientCredentialsOptions {
  const options = { ...moduleOptions };
  delete options.http;
  return options;
}

/** Installs on the module's own instance at module init and ejects at module destroy. */
class Installation implements ClientCredentialsHandle, OnModuleInit, OnModuleDestroy {
  #handle: ClientCredentialsHandle | undefined;
  readonly #instance: AxiosInstance;
  readonly #options: ClientCredentialsOptions;

  constructor(instance: AxiosInstance, options: ClientCredentialsOptions) {
    this.#instance = instance;
    this.#options = options;
  }

  onModuleInit(): void {
    this.#handle ??= installClientCredentials(this.#instance, this.#options);
  }

  onModuleDestroy(): void {
    this.#handle?.eject();
    this.#handle = undefined;
  }

  #installed(): ClientCredentialsHandle {
    if (this.#handle === undefined)
      throw new Error('ClientCredentialsModule is not initialised: its handle works between module init and destroy');
    return this.#handle;
  }

  getToken(): Promise<AccessToken> {
    return this.#installed().getToken();
  }
  stats(): ReturnType<ClientCredentialsHandle['stats']> {
    return this.#installed().stats();
  }
  invalidate(): Promise<void> {
    return this.#installed().invalidate();
  }
  eject(): void {
    this.onModuleDestroy();
  }
}

/**
 * A NestJS dynamic module that gives the importing module an `HttpService` on an axios instance of
 * its own, authenticated with the client credentials grant. Each registration creates its own
 * instance (as `HttpModule.register()` does), installs at module init and ejects at module destroy,
 * so two registrations, or two application boots in one process, never share or double-install an
 * instance, and the default axios export is never touched.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     ClientCredentialsModule.registerAsync({
 *       imports: [ConfigModule],
 *       inject: [ConfigService],
 *       useFactory: (config: ConfigService) => ({
 *         http: { baseURL: config.getOrThrow('BILLING_URL') },
 *         tokenUrl: config.getOrThrow('TOKEN_URL'),
 *         clientId: config.getOrThrow('BILLING_CLIENT_ID'),
 *         clientSecret: config.getOrThrow('BILLING_CLIENT_SECRET'),
 *         scope: 'invoices:read',
 *       }),
 *     }),
 *   ],
 *   providers: [BillingClient], // injects HttpService: this module's authenticated one
 *   exports: [BillingClient],
 * })
 * export class BillingModule {}
 * ```
 */
export class ClientCredentialsModule {
  /**
   * A registration with options known up front.
   *
   * @throws {TypeError} At module init, when an option is invalid (the message names it).
   */
  static register(options: ClientCredentialsModuleOptions): DynamicModule {
    return ClientCredentialsModule.registerAsync({ useFactory: () => options });
  }

  /**
   * A registration whose options come from other providers, such as `ConfigService`.
   *
   * @throws {TypeError} At module init, when an option is invalid (the message names it).
   */
  static registerAsync(options: ClientCredentialsModuleAsyncOptions): DynamicModule {
    return {
      module: ClientCredentialsModule,
      imports: options.imports ?? [],
      providers: [
        // Makes every registration a module of its own, as HttpModule.register() does with its id.
        { provide: REGISTRATION, useValue: randomUUID() },
        { provide: OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: HttpService,
          useFactory: ({ http }: ClientCredentialsModuleOptions) => new HttpService(axios.create(http)),
          inject: [OPTIONS],
        },
        {
          provide: CLIENT_CREDENTIALS_HANDLE,
          useFactory: (service: HttpService, moduleOptions: ClientCredentialsModuleOptions) =>
            new Installation(service.axiosRef, pluginOptionsOf(moduleOptions)),
          inject: [HttpService, OPTIONS],
        },
      ],
      exports: [HttpService, CLIENT_CREDENTIALS_HANDLE],
    };
  }
}
