/**
 * Recipe: NestJS, through `HttpService.axiosRef`.
 *
 * `HttpService` from @nestjs/axios wraps an axios instance and exposes it as `axiosRef`; installing
 * on that instance authenticates everything the service sends, observables included. This project
 * does not depend on NestJS, so the two Nest classes used here are simulated by the smallest
 * stand-ins with the same shape (marked below), and the decorators are left as comments. The part
 * you copy, `BillingClient`, is the same code as in a Nest application, and the test suite runs it.
 *
 * In a Nest application:
 *
 *   import { HttpService } from '@nestjs/axios';
 *   import { Injectable, OnModuleInit } from '@nestjs/common';
 *   import { ConfigService } from '@nestjs/config';
 */
import axios, { type AxiosInstance } from 'axios';
import { installClientCredentials } from '../../lib';
import { envFromProcess, runIfMain, type RecipeEnv } from './env';

/** Stand-in for @nestjs/axios' HttpService: an axios instance exposed as `axiosRef`. */
export class HttpService {
  readonly axiosRef: AxiosInstance = axios.create();
}

/** Stand-in for @nestjs/config's ConfigService. */
export class ConfigService {
  constructor(private readonly values: Record<string, string>) {}
  getOrThrow(name: string): string {
    const value = this.values[name];
    if (value === undefined) throw new TypeError(`Configuration key "${name}" does not exist`);
    return value;
  }
}

// @Injectable()
export class BillingClient /* implements OnModuleInit */ {
  constructor(
    private readonly http: HttpService,
    private readonly config: ConfigService,
  ) {}

  onModuleInit(): void {
    // Set baseURL first: the origin allowed to receive the token is taken at install time.
    this.http.axiosRef.defaults.baseURL = this.config.getOrThrow('BILLING_URL');
    installClientCredentials(this.http.axiosRef, {
      tokenUrl: this.config.getOrThrow('TOKEN_URL'),
      clientId: this.config.getOrThrow('CLIENT_ID'),
      clientSecret: this.config.getOrThrow('CLIENT_SECRET'),
      scope: 'invoices:read',
    });
  }

  async listInvoices(): Promise<unknown> {
    const { data } = await this.http.axiosRef.get('/invoices');
    return data;
  }
}

export async function main(env: RecipeEnv) {
  // What Nest's injector does: construct, then call onModuleInit() once.
  const client = new BillingClient(
    new HttpService(),
    new ConfigService({
      TOKEN_URL: env.tokenUrl,
      CLIENT_ID: env.clientId,
      CLIENT_SECRET: env.clientSecret,
      BILLING_URL: env.billingUrl,
    }),
  );
  client.onModuleInit();
  const results = await Promise.all([client.listInvoices(), client.listInvoices(), client.listInvoices()]);
  return { calls: results.length };
}

runIfMain(module, () => main(envFromProcess(['tokenUrl', 'clientId', 'clientSecret', 'billingUrl'])));
