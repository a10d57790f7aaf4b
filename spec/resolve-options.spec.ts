import axios from 'axios';
import { resolveOptions } from '../lib/resolve-options';

const instance = axios.create({ baseURL: 'https://api.example.com' });
const valid = { tokenUrl: 'https://auth.example.com/token', clientId: 'id', clientSecret: 'secret' };
const resolve = (overrides: Record<string, unknown>) => resolveOptions(instance, { ...valid, ...overrides });

describe('resolveOptions()', () => {
  it('applies the documented defaults', () => {
    expect(resolveOptions(instance, valid)).toMatchObject({
      clientAuthMethod: 'client_secret_basic',
      scopes: [],
      resources: [],
      refreshBeforeExpiryMs: 30_000,
      defaultLifetimeMs: 300_000,
      tokenRequestTimeoutMs: 30_000,
      retryOnUnauthorized: true,
      tokenRequestRetries: 2,
      tokenRequestRetryMaxDelayMs: 10_000,
      errorCooldownMs: 10_000,
      onEvent: undefined,
    });
  });

  it('names the installation by client id and token endpoint host, or issuer host, never by a secret', () => {
    expect(resolve({}).name).toBe('id@auth.example.com');
    expect(resolve({ tokenUrl: 'https://auth.example.com:8443/t?x=1' }).name).toBe('id@auth.example.com:8443');
    expect(resolve({ tokenUrl: undefined, issuer: 'https://login.example.com/tenant' }).name).toBe(
      'id@login.example.com',
    );
    expect(resolve({ name: 'billing-api' }).name).toBe('billing-api');
  });

  it('splits a scope string, de-duplicates scopes and keeps their order', () => {
    expect(resolve({ scope: ' b  a b ' }).scopes).toEqual(['b', 'a']);
    expect(resolve({ scope: ['x', 'x', 'y'] }).scopes).toEqual(['x', 'y']);
  });

  it.each([
    [{ tokenUrl: undefined }, '"tokenUrl" option is required, or "issuer" to discover it'],
    [{ tokenUrl: '' }, '"tokenUrl" option must be a non-empty string'],
    [{ tokenUrl: 'not a url' }, '"tokenUrl" option must be an absolute URL'],
    [{ tokenUrl: 'ftp://auth.example.com/token' }, '"tokenUrl" option must be an http(s) URL'],
    [{ tokenUrl: 'https://auth.example.com/token#x' }, '"tokenUrl" option must not include a fragment (RFC 6749 §3.2)'],
    [{ tokenUrl: 'http://auth.example.com/token' }, '"tokenUrl" option must use https: outside loopback'],
    [{ tokenUrl: 'https://u:p@auth.example.com/token' }, '"tokenUrl" option must not include credentials'],
    [{ clientId: '' }, '"clientId" option must be a non-empty string'],
    [{ clientId: undefined }, '"clientId" option is required'],
    [{ clientSecret: undefined }, '"clientSecret" option is required by "client_secret_basic"'],
    [{ clientAuthMethod: 'magic' }, '"clientAuthMethod" option must be one of'],
    [{ scope: 42 }, '"scope" option must be a string or an array of strings'],
    [{ tokenRequestRetries: -1 }, '"tokenRequestRetries" option must be a finite number of at least 0'],
    [{ tokenRequestRetries: 1.5 }, '"tokenRequestRetries" option must be an integer'],
    [{ tokenRequestRetryMaxDelayMs: Infinity }, '"tokenRequestRetryMaxDelayMs" option must be a finite number'],
    [{ errorCooldownSeconds: -1 }, '"errorCooldownSeconds" option must be a finite number of at least 0'],
    [{ onEvent: 'log' }, '"onEvent" option must be a function'],
    [{ name: '' }, '"name" option must be a non-empty string'],
    [{ name: 42 }, '"name" option must be a non-empty string'],
    [{ scope: ['a"b'] }, '"scope" option holds a scope token with characters RFC 6749 §3.3 does not allow'],
    [{ resource: 'relative/path' }, '"resource" option must hold absolute URIs'],
    [{ resource: 'https://api/#frag' }, '"resource" option must not include a fragment'],
    [{ extraParams: { grant_type: 'password' } }, '"extraParams" option must not set "grant_type"'],
    [{ extraParams: { n: 1 } }, '"extraParams" option must map "n" to a string'],
    [{ store: {} }, '"store" option must implement get(), set() and delete()'],
    [
      { store: { get: () => undefined, set: () => {}, delete: () => false, lock: true } },
      '"store" option must implement lock() and waitForUnlock() as functions, if at all',
    ],
    [{ tokenClient: {} }, '"tokenClient" option must be an axios instance'],
    [{ tokenClient: instance }, '"tokenClient" option must not be the intercepted instance'],
    [{ origins: ['nope'] }, '"origins" option must be an absolute URL'],
    [{ refreshBeforeExpirySeconds: -1 }, '"refreshBeforeExpirySeconds" option must be a finite number of at least 0'],
    [{ defaultExpiresInSeconds: 0 }, '"defaultExpiresInSeconds" option must be a finite number of at least 1'],
    [{ refreshBeforeExpiryMs: -1 }, '"refreshBeforeExpiryMs" option must be a finite number of at least 0'],
    [{ defaultExpiresInMs: 0 }, '"defaultExpiresInMs" option must be a finite number of at least 1'],
    [{ errorCooldownMs: '10' }, '"errorCooldownMs" option must be a finite number of at least 0'],
    [{ errorCooldownSeconds: '10' }, '"errorCooldownSeconds" option must be a finite number of at least 0'],
    [{ tokenRequestTimeoutMs: Infinity }, '"tokenRequestTimeoutMs" option must be a finite number'],
    [{ retryOnUnauthorized: 'yes' }, '"retryOnUnauthorized" option must be a boolean'],
    [{ client_secret: 'x' }, 'unknown option "client_secret"'],
  ])('throws a TypeError naming the option for %j', (overrides, message) => {
    expect(() => resolve(overrides)).toThrow(TypeError);
    expect(() => resolve(overrides)).toThrow(message);
  });

  it.each([
    ['refreshBeforeExpiryMs', 'refreshBeforeExpirySeconds', 'refreshBeforeExpiryMs'],
    ['defaultExpiresInMs', 'defaultExpiresInSeconds', 'defaultLifetimeMs'],
    ['errorCooldownMs', 'errorCooldownSeconds', 'errorCooldownMs'],
  ] as const)('resolves "%s" to the same value as the deprecated "%s"', (msName, secondsName, resolvedName) => {
    expect(resolve({ [msName]: 45_000 })[resolvedName]).toBe(45_000);
    expect(resolve({ [secondsName]: 45 })[resolvedName]).toBe(45_000);
    expect(resolve({ [msName]: 2_500 })[resolvedName]).toBe(resolve({ [secondsName]: 2.5 })[resolvedName]);
  });

  it.each([
    ['refreshBeforeExpiryMs', 'refreshBeforeExpirySeconds'],
    ['defaultExpiresInMs', 'defaultExpiresInSeconds'],
    ['errorCooldownMs', 'errorCooldownSeconds'],
  ])('throws a TypeError naming both "%s" and "%s" when both are given', (msName, secondsName) => {
    const both = () => resolve({ [msName]: 1_000, [secondsName]: 1 });
    expect(both).toThrow(TypeError);
    expect(both).toThrow(
      new TypeError(
        `"${msName}" option cannot be combined with "${secondsName}", its deprecated form in seconds: give one`,
      ),
    );
  });

  it('never puts the secret in a validation message', () => {
    expect(() => resolve({ clientSecret: 'hunter2', scope: ['"'] })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });

  it('allows http: on loopback, and elsewhere only with allowHttpTokenUrl', () => {
    expect(resolve({ tokenUrl: 'http://127.0.0.1:8080/token' }).tokenUrl).toBe('http://127.0.0.1:8080/token');
    expect(resolve({ tokenUrl: 'http://localhost/token' }).tokenUrl).toBe('http://localhost/token');
    expect(resolve({ tokenUrl: 'http://keycloak:8080/token', allowHttpTokenUrl: true }).tokenUrl).toBe(
      'http://keycloak:8080/token',
    );
  });

  it('normalises origins', () => {
    expect(resolve({ origins: ['https://files.example.com/some/path'] }).origins).toEqual([
      'https://files.example.com',
    ]);
  });
});
