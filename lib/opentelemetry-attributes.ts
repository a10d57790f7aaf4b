import type { Attributes } from '@opentelemetry/api';
import type { ErrorSummary } from './events';

/**
 * Attribute names. `server.*`, `error.type` and `http.response.status_code` are OpenTelemetry
 * semantic conventions (as on HTTP client spans); the rest has no convention and lives under one
 * namespace of its own, `oauth.client_credentials.*`, like the metric and span names.
 */
export const ATTRIBUTES = Object.freeze({
  name: 'oauth.client_credentials.name',
  outcome: 'oauth.client_credentials.outcome',
  background: 'oauth.client_credentials.background',
  attempts: 'oauth.client_credentials.attempts',
  source: 'oauth.client_credentials.source',
  storeOperation: 'oauth.client_credentials.store.operation',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  statusCode: 'http.response.status_code',
});

/** HTTP client duration buckets from the semantic conventions, in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** `error.type`: the error's code when it has one (`invalid_client`, `TOKEN_ENDPOINT_TIMEOUT`), else its class name. */
export function errorAttributes(error: ErrorSummary): Attributes {
  const attributes: Attributes = { [ATTRIBUTES.errorType]: error.code ?? error.name };
  if (error.status !== undefined) attributes[ATTRIBUTES.statusCode] = error.status;
  return attributes;
}

export function serverAttributes(tokenEndpoint: string | undefined): Attributes {
  if (tokenEndpoint === undefined) return {};
  const url = new URL(tokenEndpoint);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { [ATTRIBUTES.serverAddress]: url.hostname, [ATTRIBUTES.serverPort]: port };
}
