import { generateKeyPairSync } from 'node:crypto';
import { Agent } from 'node:https';
import { inspect } from 'node:util';
import axios from 'axios';
import {
  clientAssertion,
  clientSecretBasic,
  clientSecretJwt,
  clientSecretPost,
  installClientCredentials,
  privateKeyJwt,
  selfSignedTlsClientAuth,
  tlsClientAuth,
  type ClientAuth,
  type ClientCredentialsOptions,
} from '../../lib';
import { resolveOptions } from '../../lib/resolve-options';
import { makeCertificates } from '../support/certificates';
import { bound } from '../support/client-auth';

const SECRET = 'hunter2-secret';
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const api = axios.create({ baseURL: 'https://api.example.com' });
const base = { tokenUrl: 'https://auth.example.com/token', clientId: 'svc' };
const resolve = (options: Record<string, unknown>) => resolveOptions(api, { ...base, ...options });
const certificates = makeCertificates('svc');
const certificate = { cert: certificates.client.cert, key: certificates.client.key };

describe('client authentication strategies', () => {
  it.each<[string, () => unknown, string]>([
    ['an empty secret', () => clientSecretBasic(''), '"clientSecret" option must be a non-empty string'],
    ['a numeric secret', () => clientSecretPost(42 as unknown as string), '"clientSecret" option must be a non-empty'],
    [
      'an unknown Basic encoding',
      () => clientSecretBasic(SECRET, { encoding: 'rfc2617' as 'raw' }),
      '"encoding" option must be "rfc6749" or "raw"',
    ],
    [
      'an RSA algorithm for client_secret_jwt',
      () => clientSecretJwt(SECRET, { signingAlgorithm: 'RS256' as 'HS256' }),
      '"signingAlgorithm" option must be "HS256", "HS384" or "HS512" with "client_secret_jwt"',
    ],
    ['a string as a private key', () => privateKeyJwt('not a key'), '"privateKey" option'],
    [
      'an HMAC algorithm for private_key_jwt',
      () => privateKeyJwt(ec.privateKey, { signingAlgorithm: 'HS256' }),
      '"signingAlgorithm" option "HS256" cannot be used with "private_key_jwt"; HMAC needs "client_secret_jwt"',
    ],
    [
      'an algorithm the key cannot use',
      () => privateKeyJwt(ec.privateKey, { signingAlgorithm: 'RS256' }),
      '"signingAlgorithm" option "RS256" cannot be used with a prime256v1 key; use "ES256"',
    ],
    [
      'an unknown audience',
      () => privateKeyJwt(ec.privateKey, { assertionAudience: 'api' as 'issuer' }),
      '"assertionAudience" option must be "issuer" or "tokenEndpoint"',
    ],
    [
      'a string assertion',
      () => clientAssertion('a.b.c' as unknown as () => string),
      '"clientAssertion" option must be a function returning a signed JWT',
    ],
    [
      'a certificate without its key',
      () => tlsClientAuth({ cert: certificate.cert, key: '' }),
      '"tls" option must have "key", the private key of the certificate in PEM',
    ],
  ])('refuses %s when made, with a TypeError naming it', (_what, make, message) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });

  it.each<[string, ClientAuth]>([
    ['clientSecretBasic', clientSecretBasic(SECRET)],
    ['clientSecretPost', clientSecretPost(SECRET)],
    ['clientSecretJwt', clientSecretJwt(SECRET)],
    ['privateKeyJwt', privateKeyJwt(ec.privateKey)],
    ['tlsClientAuth', tlsClientAuth(certificate)],
  ])('shows only the method of %s to util.inspect and JSON.stringify', (_name, strategy) => {
    const views = [inspect(strategy, { showHidden: true, depth: Infinity }), JSON.stringify(strategy)];
    expect(JSON.stringify(strategy)).toBe(JSON.stringify({ method: strategy.method }));
    for (const view of views) {
      expect(view).not.toContain(SECRET);
      expect(view).not.toContain('PRIVATE KEY');
    }
  });

  it('fingerprints a fixed secret for the cache key, never the secret itself', () => {
    const { credentials } = bound(clientSecretPost(SECRET), { clientId: 'svc' });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatch(/^secret:[\w-]{22}$/);
    expect(credentials[0]).not.toContain(SECRET);
  });

  it('keys a provided secret by the value it returns, not at install', () => {
    const { credentials, secretSource } = bound(
      clientSecretBasic(() => SECRET),
      { clientId: 'svc' },
    );
    expect(credentials).toEqual([]);
    expect(secretSource?.fingerprint).toBeUndefined();
  });
});

describe('resolveOptions() with "clientAuth"', () => {
  it('fixes the method, also when an issuer is discovered', () => {
    const resolved = resolve({
      tokenUrl: undefined,
      issuer: 'https://login.example.com',
      clientAuth: clientSecretPost(SECRET),
    });
    expect(resolved.clientAuthMethod).toBe('client_secret_post');
    expect(resolved.candidateMethods).toEqual(['client_secret_post']);
  });

  it('gives the same credential part as the flat options it stands for', () => {
    expect(resolve({ clientAuth: clientSecretBasic(SECRET) }).credential).toBe(
      resolve({ clientSecret: SECRET }).credential,
    );
    expect(resolve({ clientAuth: privateKeyJwt(ec.privateKey) }).credential).toBe(
      resolve({ privateKey: ec.privateKey }).credential,
    );
  });

  it('sends token requests through the agent of a strategy with its own certificate', () => {
    const resolved = resolve({ clientAuth: selfSignedTlsClientAuth(certificate) });
    expect(resolved.httpsAgent).toBeInstanceOf(Agent);
    expect(resolved.hasClientCertificate).toBe(true);
    expect(resolved.credential).toMatch(/^certificate:[\w-]{43}$/);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a hand-made object',
      { clientAuth: { method: 'client_secret_basic' } },
      '"clientAuth" option must be made by clientSecretBasic(), clientSecretPost(), clientSecretJwt(), privateKeyJwt(), clientAssertion(), tlsClientAuth() or selfSignedTlsClientAuth()',
    ],
    [
      'a flat secret besides it',
      { clientAuth: clientSecretPost(SECRET), clientSecret: SECRET },
      '"clientSecret" option cannot be combined with "clientAuth"; give it to the strategy',
    ],
    [
      'a flat method besides it',
      { clientAuth: clientSecretPost(SECRET), clientAuthMethod: 'client_secret_basic' },
      '"clientAuthMethod" option cannot be combined with "clientAuth"; give it to the strategy',
    ],
    [
      'mutual TLS without any certificate',
      { clientAuth: tlsClientAuth() },
      '"tls" option is required by "tls_client_auth" (or an "httpsAgent" that presents the client certificate)',
    ],
    [
      'a certificate of its own and an httpsAgent',
      { clientAuth: tlsClientAuth(certificate), httpsAgent: new Agent() },
      '"httpsAgent" option cannot be combined with a "clientAuth" certificate',
    ],
    [
      'the issuer audience without an issuer',
      { clientAuth: privateKeyJwt(ec.privateKey, { assertionAudience: 'issuer' }) },
      '"assertionAudience" option "issuer" requires the "issuer" option',
    ],
  ])('refuses %s at install with a TypeError naming the option', (_what, options, message) => {
    const install = () =>
      installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
        ...base,
        ...options,
      } as ClientCredentialsOptions);
    expect(install).toThrow(new TypeError(message));
  });

  it('lets mutual TLS use the certificate of the token client', () => {
    const tokenClient = axios.create({ httpsAgent: new Agent(certificate) });
    const resolved = resolve({ clientAuth: tlsClientAuth(), tokenClient });
    expect(resolved.clientAuthMethod).toBe('tls_client_auth');
    expect(resolved.credential).toMatch(/^certificate:/);
  });
});
