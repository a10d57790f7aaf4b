// The TokenStore contract (lib/types.ts): every case the token manager relies on, run against every
// store by describeTokenStoreContract(). One suite per interface (STYLE.md): a store that drops a
// field, ignores a TTL or lets two holders in fails here, whichever client drives it.
import type { AccessToken, StoreLease, TokenStore } from '../../lib/types';

/** One store under test, made fresh for each case. */
export interface StoreHarness {
  store: TokenStore;
  /**
   * Another instance on the same shared state with no copy of its own (another process on the same
   * Redis and key prefix), made fresh on each call. Absent for a store used by one process.
   */
  peer?: () => TokenStore;
  /** Lets `ms` milliseconds pass for the store: advances its injected clock, or sleeps for real. */
  elapse: (ms: number) => Promise<void>;
  /** The store's own housekeeping after time passed (MemoryTokenStore's `prune()`). Default is none. */
  sweep?: () => void;
  /** The shortest TTL to test with, in milliseconds: short where time is real. */
  ttlMs: number;
  /** What the store reported through its error hook during the case; the contract expects none. */
  errors?: () => unknown[];
  /** Closes what the harness opened for this case. */
  close?: () => Promise<void>;
}

/** What the store's kind promises beyond get/set/delete. */
export interface ContractOptions {
  /** A cross-process store: lock, waitForUnlock and peers on one shared state. Default is `false`. */
  shared?: boolean;
}

const NOW = Date.UTC(2026, 0, 1);

/**
 * Tokens with every field {@link AccessToken} has, set. `Required<>` makes a field added to the
 * type a compile error here until it is part of the contract (the Redis codec once dropped
 * `refreshAt`, the `refresh_in` hint, and no spec noticed).
 */
export const FULL_TOKENS: ReadonlyArray<Required<AccessToken>> = [
  {
    accessToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmbGVldCJ9.c2lnbmF0dXJl',
    tokenType: 'Bearer',
    issuedAt: NOW,
    expiresAt: NOW + 3_600_000,
    refreshAt: NOW + 1_800_000,
    scope: 'invoices:read invoices:write',
  },
  {
    // A DPoP-bound token (RFC 9449 §5): the type carries the binding, and must come back as is.
    accessToken: 'dpop-bound.token/with+odd=chars ünïcödé',
    tokenType: 'DPoP',
    issuedAt: NOW + 0.5,
    expiresAt: NOW + 60_000.25,
    refreshAt: NOW + 30_000,
    scope: '',
  },
];

/** A token with only the required fields: it must come back without the optional ones. */
export const MINIMAL_TOKEN: AccessToken = {
  accessToken: 'minimal',
  tokenType: 'Bearer',
  issuedAt: NOW,
  expiresAt: NOW,
};

/** Keys the store must keep apart and find again: Cluster hash-tag braces, glob characters, separators, Unicode. */
export const UNUSUAL_KEYS: readonly string[] = [
  'axios-client-credentials:Zm9vYmFyLWJhei1xdXV4LTEyMzQ1Njc4OTAtX0FCQ0RFRg',
  'with {braces} and }more{',
  '}starts-with-a-closing-brace',
  '{}',
  '',
  '~tilde',
  '*?[glob]\\',
  'a:b:c',
  'line\nbreak\ttab',
  'ключ-鍵-🔑',
  'x'.repeat(1_000),
];

const token = (accessToken: string): AccessToken => ({ ...MINIMAL_TOKEN, accessToken });
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `pending` settles within `ms` of real time: a bound for a wake-up, not a speed figure. */
async function settlesWithin(pending: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([pending.then(() => true), late]);
  clearTimeout(timer);
  return settled;
}

/**
 * Declares the contract's cases for one store. `makeStore` runs before each case (inside it, so
 * `beforeAll` hooks of the caller have run) and its `close` after.
 */
export function describeTokenStoreContract(
  name: string,
  makeStore: () => StoreHarness | Promise<StoreHarness>,
  options: ContractOptions = {},
): void {
  describe(`TokenStore contract: ${name}`, () => {
    let h: StoreHarness;
    /** A reader with no copy of its own: a peer where there is one, else the store itself. */
    const reader = (): TokenStore => h.peer?.() ?? h.store;

    beforeEach(async () => {
      h = await makeStore();
    });

    afterEach(async () => {
      const errors = h.errors?.() ?? [];
      await h.close?.();
      expect(errors).toEqual([]);
    });

    it('answers undefined for a key never written', async () => {
      expect(await h.store.get('never-written')).toBeUndefined();
      expect(await reader().get('never-written')).toBeUndefined();
    });

    it.each(FULL_TOKENS.map((t) => [t.tokenType, t] as const))(
      'gives back every field of a %s token exactly, to itself and to a reader without a copy',
      async (_type, written) => {
        await h.store.set('full', written, 60_000);
        expect(await h.store.get('full')).toStrictEqual(written);
        expect(await reader().get('full')).toStrictEqual(written);
      },
    );

    it('gives back a token with no optional field without adding any', async () => {
      await h.store.set('minimal', MINIMAL_TOKEN, 60_000);
      expect(await reader().get('minimal')).toStrictEqual(MINIMAL_TOKEN);
    });

    it('answers the last token written under a key', async () => {
      await h.store.set('k', token('first'), 60_000);
      await h.store.set('k', token('second'), 60_000);
      expect(await h.store.get('k')).toStrictEqual(token('second'));
      expect(await reader().get('k')).toStrictEqual(token('second'));
    });

    it('keeps an entry for its TTL and drops it after', async () => {
      await h.store.set('ttl', token('short-lived'), h.ttlMs);
      await h.elapse(h.ttlMs / 2);
      h.sweep?.();
      expect(await reader().get('ttl')).toStrictEqual(token('short-lived'));
      await h.elapse(h.ttlMs / 2 + Math.min(100, h.ttlMs / 10));
      h.sweep?.();
      expect(await reader().get('ttl')).toBeUndefined();
    });

    it('keeps nothing for a token written with no time left', async () => {
      await h.store.set('no-time', token('expired'), 0);
      await h.elapse(1);
      h.sweep?.();
      expect(await reader().get('no-time')).toBeUndefined();
    });

    it('deletes unconditionally without a token, answering whether there was an entry', async () => {
      await h.store.set('k', token('any'), 60_000);
      expect(await h.store.delete('k')).toBe(true);
      expect(await h.store.get('k')).toBeUndefined();
      expect(await reader().get('k')).toBeUndefined();
      expect(await h.store.delete('k')).toBe(false);
      expect(await h.store.delete('never-written', 'any')).toBe(false);
    });

    it('deletes with a token only while the entry still holds that token', async () => {
      await h.store.set('k', token('current'), 60_000);
      expect(await h.store.delete('k', 'older')).toBe(false);
      expect(await reader().get('k')).toStrictEqual(token('current'));
      expect(await h.store.delete('k', 'current')).toBe(true);
      expect(await reader().get('k')).toBeUndefined();
    });

    it('keeps keys with unusual characters apart and finds each again', async () => {
      for (const [i, key] of UNUSUAL_KEYS.entries()) await h.store.set(key, token(`t${i}`), 60_000);
      for (const [i, key] of UNUSUAL_KEYS.entries()) expect(await reader().get(key)).toStrictEqual(token(`t${i}`));
      for (const [i, key] of UNUSUAL_KEYS.entries()) expect(await reader().delete(key, `t${i}`)).toBe(true);
      for (const key of UNUSUAL_KEYS) expect(await reader().get(key)).toBeUndefined();
    });

    if (!options.shared) {
      it('has no lock: a store for one process needs none', () => {
        expect(h.store.lock).toBeUndefined();
        expect(h.store.waitForUnlock).toBeUndefined();
      });
      return;
    }

    describe('shared by several processes', () => {
      const peer = (): TokenStore => h.peer!();
      const lock = (store: TokenStore, key: string, leaseMs: number) => store.lock!(key, leaseMs);

      it("sees another instance's writes and deletes on the same shared state", async () => {
        const [a, b] = [peer(), peer()];
        await a.set('k', FULL_TOKENS[0]!, 60_000);
        expect(await b.get('k')).toStrictEqual(FULL_TOKENS[0]);
        await b.set('k', FULL_TOKENS[1]!, 60_000);
        expect(await peer().get('k')).toStrictEqual(FULL_TOKENS[1]);
        expect(await a.delete('k', FULL_TOKENS[1]!.accessToken)).toBe(true);
        expect(await peer().get('k')).toBeUndefined();
      });

      it('grants the lock to exactly one of three callers at once', async () => {
        const leases = await Promise.all([h.store, peer(), peer()].map((store) => lock(store, 'k', 5_000)));
        expect(leases.filter((lease) => lease !== undefined)).toHaveLength(1);
        await Promise.all(leases.map((lease) => lease?.release()));
      });

      it('lets three callers in one after another, never two at once', async () => {
        let inside = 0;
        let most = 0;
        const held: number[] = [];
        const caller = async (store: TokenStore, id: number): Promise<void> => {
          for (;;) {
            const lease = await lock(store, 'k', 5_000);
            if (lease === undefined) {
              await store.waitForUnlock!('k', 1_000);
              continue;
            }
            inside += 1;
            most = Math.max(most, inside);
            held.push(id);
            await tick(20);
            inside -= 1;
            await lease.release();
            return;
          }
        };
        await Promise.all([h.store, peer(), peer()].map((store, id) => caller(store, id)));
        expect({ most, held: [...held].sort() }).toEqual({ most: 1, held: [0, 1, 2] });
      });

      it('frees the lock on release, and a second release changes nothing', async () => {
        const lease = (await lock(h.store, 'k', 5_000))!;
        expect(lease).toBeDefined();
        await lease.release();
        const next = (await lock(peer(), 'k', 5_000))!;
        expect(next).toBeDefined();
        await lease.release();
        expect(await lock(peer(), 'k', 5_000)).toBeUndefined();
        await next.release();
      });

      it('keeps an extended lease past its first term', async () => {
        const lease = (await lock(h.store, 'k', 200))!;
        expect(await lease.extend(5_000)).toBe(true);
        await tick(300);
        expect(await lock(peer(), 'k', 5_000)).toBeUndefined();
        await lease.release();
      });

      it('lets the next caller in once a lease lapses, and the lapsed holder neither extends nor frees it', async () => {
        const lapsed = (await lock(h.store, 'k', 100))!;
        expect(lapsed).toBeDefined();
        await tick(200);
        const next = (await lock(peer(), 'k', 5_000))!;
        expect(next).toBeDefined();
        expect(await lapsed.extend(5_000)).toBe(false);
        await lapsed.release();
        expect(await lock(peer(), 'k', 5_000)).toBeUndefined();
        await next.release();
      });

      it('makes the reads that follow a lock call see what other processes wrote', async () => {
        await h.store.set('k', token('old'), 60_000);
        expect(await h.store.get('k')).toStrictEqual(token('old'));
        await peer().set('k', token('renewed'), 60_000);
        const lease = await lock(h.store, 'k', 5_000);
        expect(await h.store.get('k')).toStrictEqual(token('renewed'));
        await lease?.release();
      });

      describe('waitForUnlock', () => {
        const wait = (store: TokenStore, timeoutMs: number) => store.waitForUnlock!('k', timeoutMs);

        it.each([
          ['releases the lock', (lease: StoreLease) => lease.release()],
          ['writes a token', (_lease: StoreLease, holder: TokenStore) => holder.set('k', token('new'), 60_000)],
        ])('wakes a waiter as soon as the holder %s', async (_what, finish) => {
          const holder = peer();
          const lease = (await lock(holder, 'k', 60_000))!;
          const waiting = wait(peer(), 60_000);
          expect(await settlesWithin(waiting, 100)).toBe(false);
          await finish(lease, holder);
          expect(await settlesWithin(waiting, 5_000)).toBe(true);
          await lease.release();
        });

        it("wakes a waiter when the holder's lease lapses", async () => {
          await lock(peer(), 'k', 200); // never extended nor released
          expect(await settlesWithin(wait(peer(), 60_000), 5_000)).toBe(true);
        });

        it('resolves at once when the lock is free, and at its timeout when the holder keeps it', async () => {
          expect(await settlesWithin(wait(h.store, 60_000), 5_000)).toBe(true);
          const lease = (await lock(peer(), 'k', 60_000))!;
          await expect(wait(h.store, 200)).resolves.toBeUndefined();
          expect(await lock(peer(), 'k', 5_000)).toBeUndefined();
          await lease.release();
        });
      });
    });
  });
}
