import { MemoryTokenStore } from '../../lib/stores/memory';
import type { AccessToken } from '../../lib/types';
import { describeTokenStoreContract } from './contract';

const token = (accessToken: string): AccessToken => ({
  accessToken,
  tokenType: 'Bearer',
  issuedAt: 0,
  expiresAt: 1e13,
});

describe('MemoryTokenStore', () => {
  it('answers get synchronously', () => {
    const store = new MemoryTokenStore();
    store.set('k', token('a'), 500);
    expect(store.get('k')).toEqual(token('a'));
  });

  it('drops entries past their ttl on prune(), and keeps the others', () => {
    let now = 1000;
    const store = new MemoryTokenStore({ now: () => now });
    store.set('short', token('a'), 500);
    store.set('long', token('b'), 5000);
    now = 1499;
    expect(store.prune()).toBe(0);
    now = 1500;
    expect(store.prune()).toBe(1);
    expect(store.get('short')).toBeUndefined();
    expect(store.get('long')?.accessToken).toBe('b');
    expect(store.size).toBe(1);
  });

  it('replaces an entry on set, so expired entries do not pile up per key', () => {
    const store = new MemoryTokenStore();
    store.set('k', token('a'), 0);
    store.set('k', token('b'), 1000);
    expect(store.size).toBe(1);
    expect(store.get('k')?.accessToken).toBe('b');
  });
});

describeTokenStoreContract('MemoryTokenStore', () => {
  let now = 1_000_000;
  const store = new MemoryTokenStore({ now: () => now });
  return {
    store,
    elapse: async (ms) => void (now += ms),
    sweep: () => void store.prune(),
    ttlMs: 60_000,
  };
});

describe('MemoryTokenStore bounds', () => {
  it('drops expired entries on later writes, without a timer or a prune() call', () => {
    let now = 1_000;
    const store = new MemoryTokenStore({ now: () => now });
    for (let i = 0; i < 1_000; i += 1) store.set(`one-shot-${i}`, token(`t${i}`), 1_000);
    expect(store.size).toBe(1_000);
    now += 1_000; // every one-shot entry is past its ttl
    for (let i = 0; i < 100; i += 1) store.set(`live-${i}`, token(`l${i}`), 60_000);
    expect(store.size).toBe(100);
    expect(store.get('live-0')?.accessToken).toBe('l0');
    expect(store.get('one-shot-0')).toBeUndefined();
  });

  it('sweeps nothing that is still within its ttl', () => {
    let now = 1_000;
    const store = new MemoryTokenStore({ now: () => now });
    for (let i = 0; i < 500; i += 1) store.set(`k${i}`, token(`t${i}`), 10_000);
    now += 9_999;
    for (let i = 0; i < 500; i += 1) store.set(`m${i}`, token(`u${i}`), 10_000);
    expect(store.size).toBe(1_000);
  });

  it('holds at most maxEntries, dropping the least recently used', () => {
    const store = new MemoryTokenStore({ maxEntries: 3 });
    store.set('a', token('a'), 60_000);
    store.set('b', token('b'), 60_000);
    store.set('c', token('c'), 60_000);
    expect(store.get('a')?.accessToken).toBe('a'); // a is now the most recently used
    store.set('d', token('d'), 60_000);
    expect(store.size).toBe(3);
    expect(store.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => store.get(k)?.accessToken)).toEqual(['a', 'c', 'd']);
    store.set('c', token('c2'), 60_000); // an overwrite is a use
    store.set('e', token('e'), 60_000);
    expect(store.get('a')).toBeUndefined();
    expect(['c', 'd', 'e'].map((k) => store.get(k)?.accessToken)).toEqual(['c2', 'd', 'e']);
  });

  it('drops expired entries before live ones when it is full', () => {
    let now = 1_000;
    const store = new MemoryTokenStore({ now: () => now, maxEntries: 2 });
    store.set('live', token('live'), 60_000);
    store.set('short', token('short'), 10);
    expect(store.get('live')?.accessToken).toBe('live');
    now += 10;
    store.set('new', token('new'), 60_000);
    expect(store.get('live')?.accessToken).toBe('live');
    expect(store.get('short')).toBeUndefined();
    expect(store.size).toBe(2);
  });

  it('defaults to 10,000 entries and refuses a bound that is not a positive integer', () => {
    const store = new MemoryTokenStore();
    for (let i = 0; i < 10_001; i += 1) store.set(`k${i}`, token(`t${i}`), 60_000);
    expect(store.size).toBe(10_000);
    expect(store.get('k0')).toBeUndefined();
    for (const maxEntries of [0, -1, 1.5, Number.NaN, '10'])
      expect(() => new MemoryTokenStore({ maxEntries } as never)).toThrow(
        new TypeError('"maxEntries" option must be a positive integer'),
      );
  });
});
