import { createHash } from 'node:crypto';
import { cacheKey, type CacheKeyParts } from '../lib/cache-key';

const parts: CacheKeyParts = {
  tokenUrl: 'https://auth.example.com/oauth/token',
  clientId: 'svc',
  clientAuthMethod: 'client_secret_basic',
  scopes: [],
  resources: [],
  audience: undefined,
  extraParams: {},
  credential: 'secret:abc',
};

const digest = (canonical: unknown[]): string =>
  `axios-client-credentials:${createHash('sha256').update(JSON.stringify(canonical)).digest('base64url')}`;

describe('cacheKey()', () => {
  // A silent change of the format would orphan every fleet-shared token at deploy: these keys are
  // fixed, and so is the canonical form they digest.
  it('stays exactly this for a Bearer configuration with no optional parts', () => {
    const key = 'axios-client-credentials:2Gzw2lYM53uGdmP5fxE6hGsbMkvU2ZT5DHYCkLaYb94';
    expect(cacheKey(parts)).toBe(key);
    expect(digest(['v2', parts.tokenUrl, 'svc', 'client_secret_basic', [], [], null, 'secret:abc', []])).toBe(key);
  });

  it('stays exactly this with every part set: sorted, de-duplicated lists and the scheme part last', () => {
    const key = cacheKey({
      ...parts,
      scopes: ['write', 'read', 'write'],
      resources: ['https://b.example.com', 'https://a.example.com', 'https://b.example.com'],
      audience: 'api',
      extraParams: { tenant: 't1', Region: 'eu', a: 'x' },
      schemePart: ['dpop', 'thumb'],
    });
    expect(key).toBe('axios-client-credentials:LawFDbOAx18t6LIFaspWC2GCDdoXQkinOSzvtau5W58');
    expect(
      digest([
        'v2',
        parts.tokenUrl,
        'svc',
        'client_secret_basic',
        ['read', 'write'],
        ['https://a.example.com', 'https://b.example.com'],
        'api',
        'secret:abc',
        [
          ['Region', 'eu'],
          ['a', 'x'],
          ['tenant', 't1'],
        ],
        ['dpop', 'thumb'],
      ]),
    ).toBe(key);
  });

  it('orders extra parameters by UTF-16 code unit (upper case first), not by locale or in reverse', () => {
    expect(cacheKey({ ...parts, extraParams: { b: '3', a: '2', B: '1' } })).toBe(
      digest([
        'v2',
        parts.tokenUrl,
        'svc',
        'client_secret_basic',
        [],
        [],
        null,
        'secret:abc',
        [
          ['B', '1'],
          ['a', '2'],
          ['b', '3'],
        ],
      ]),
    );
  });

  it('sorts extra parameters by name, so their order in the options never splits a cache entry', () => {
    const forward = cacheKey({ ...parts, extraParams: { a: '1', b: '2', c: '3' } });
    for (const extraParams of [
      { c: '3', b: '2', a: '1' },
      { b: '2', a: '1', c: '3' },
      { a: '1', c: '3', b: '2' },
    ])
      expect(cacheKey({ ...parts, extraParams })).toBe(forward);
    expect(cacheKey({ ...parts, extraParams: { a: '2', b: '1', c: '3' } })).not.toBe(forward);
  });

  it('keeps extra parameters whose names differ only in case apart', () => {
    expect(cacheKey({ ...parts, extraParams: { A: '1', a: '2' } })).not.toBe(
      cacheKey({ ...parts, extraParams: { A: '2', a: '1' } }),
    );
  });
});
