import { randomUUID } from 'node:crypto';
import { ClientCredentialsError } from '../errors';
import { fail } from '../validate';
import type { ClientAuthentication } from './index';
import { providerFailed } from './secret-source';
import { defineClientAuth, type ClientAuth } from './strategy';

/** A function that returns a signed JWT client assertion minted elsewhere (workload identity). */
export type AssertionProvider = () => string | Promise<string>;

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A compact JWS: three base64url parts (RFC 7515 §7.1). */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * A client assertion from outside (RFC 7521 §4.2, RFC 7523 §2.2): whatever the platform minted, a
 * Kubernetes projected service-account token, a SPIFFE JWT-SVID, a CI's OIDC token. The provider
 * is called on every token request attempt (assertions are short-lived and often single-use) and
 * its value is sent with `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`,
 * never kept.
 *
 * @throws {ClientCredentialsError} `CREDENTIAL_PROVIDER_FAILED` (as a rejection) when the provider
 *   fails or returns something that is not a compact JWS.
 */
function externalAssertion(clientId: string, provider: AssertionProvider): ClientAuthentication {
  return async ({ body }) => {
    let assertion: unknown;
    try {
      assertion = await provider();
    } catch (error) {
      throw providerFailed(error, 'clientAssertion');
    }
    if (typeof assertion !== 'string' || !COMPACT_JWS.test(assertion.trim()))
      throw new ClientCredentialsError(
        'CREDENTIAL_PROVIDER_FAILED',
        'the "clientAssertion" provider must return a signed JWT (compact serialization)',
      );
    // RFC 7521 §4.2: client_id is optional; some servers want it to find the client before verifying.
    body.set('client_id', clientId);
    body.set('client_assertion_type', JWT_BEARER_ASSERTION_TYPE);
    body.set('client_assertion', assertion.trim());
  };
}

/**
 * A stable id per assertion function, for the cache key. The assertion itself cannot be
 * fingerprinted: it changes on every call (a fresh `jti`, `exp`), yet it proves the same workload.
 * The function stands for that workload: installations in this process given the same function
 * share a token, others do not. The id is random rather than a counter, so two processes sharing a
 * store (Redis) never collide by accident: this library cannot tell whether another process's
 * function proves the same identity, and serving a token that the caller's own credential did not
 * earn is exactly what the credential part of the key prevents. A fleet thus makes one exchange
 * per process instead of one in all.
 */
const assertionIds = new WeakMap<AssertionProvider, string>();

/** The cache-key part of an assertion provider: the client id and the function's id. */
export function assertionIdentity(clientId: string, provider: AssertionProvider): string {
  let id = assertionIds.get(provider);
  if (id === undefined) {
    id = randomUUID();
    assertionIds.set(provider, id);
  }
  return `assertion:${clientId.length}:${clientId}:${id}`;
}

/**
 * `private_key_jwt` with an assertion minted elsewhere (RFC 7521 §4.2, RFC 7523 §2.2): `provider`
 * returns a signed JWT, sync or async, and is called on every token request attempt (see the
 * `clientAssertion` option). Installations given the same function share a token.
 *
 * @throws {TypeError} naming `clientAssertion` when `provider` is not a function.
 */
export function clientAssertion(provider: AssertionProvider): ClientAuth {
  if (typeof provider !== 'function') fail('clientAssertion', 'must be a function returning a signed JWT');
  return defineClientAuth('private_key_jwt', ({ clientId }) => ({
    credentials: [assertionIdentity(clientId, provider)],
    authenticate: externalAssertion(clientId, provider),
  }));
}
