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

describe('cacheKey()', () => {
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
