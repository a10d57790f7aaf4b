import { MemoryTokenStore } from '../../lib/stores/memory';
import type { AccessToken } from '../../lib/types';

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

  it('deletes with compare-and-delete only while the entry holds the rejected token', () => {
    const store = new MemoryTokenStore();
    store.set('k', token('new'), 1000);
    expect(store.delete('k', 'old')).toBe(false);
    expect(store.get('k')?.accessToken).toBe('new');
    expect(store.delete('k', 'new')).toBe(true);
    expect(store.get('k')).toBeUndefined();
  });

  it('deletes unconditionally without a token', () => {
    const store = new MemoryTokenStore();
    store.set('k', token('a'), 1000);
    expect(store.delete('k')).toBe(true);
    expect(store.delete('k')).toBe(false);
  });
});
