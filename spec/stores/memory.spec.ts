import { MemoryTokenStore } from '../../lib/stores/memory';
import type { AccessToken } from '../../lib/types';

const token = (accessToken: string): AccessToken => ({
  accessToken,
  tokenType: 'Bearer',
  issuedAt: 0,
  expiresAt: 1e13,
});

describe('MemoryTokenStore', () => {
  it('answers get synchronously and forgets entries after their ttl', () => {
    let now = 1000;
    const store = new MemoryTokenStore({ now: () => now });
    store.set('k', token('a'), 500);
    expect(store.get('k')?.accessToken).toBe('a');
    now = 1499;
    expect(store.get('k')?.accessToken).toBe('a');
    now = 1500;
    expect(store.get('k')).toBeUndefined();
    expect(store.size).toBe(0);
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
