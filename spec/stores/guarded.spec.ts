import { GuardedStore, StoreTimeoutError, type StoreOperation } from '../../lib/stores/guarded';
import { MemoryTokenStore } from '../../lib/stores/memory';
import type { AccessToken, StoreLease, TokenStore } from '../../lib/types';
import { ManualClock } from '../support/clock';

const token: AccessToken = Object.freeze({ accessToken: 't', tokenType: 'Bearer', issuedAt: 0, expiresAt: 60_000 });

function guard(store: TokenStore) {
  const clock = new ManualClock();
  const errors: Array<[StoreOperation, unknown]> = [];
  const guarded = new GuardedStore(store, {
    clock,
    timeoutsMs: { get: 100, set: 100, delete: 100, lock: 300 },
    onError: (operation, error) => errors.push([operation, error]),
  });
  return { guarded, clock, errors };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('GuardedStore', () => {
  it('answers a synchronous store synchronously, with no promise and no timer', () => {
    const memory = new MemoryTokenStore();
    const { guarded, clock } = guard(memory);
    expect(guarded.set('k', token, 1_000)).toBeUndefined();
    expect(guarded.get('k')).toBe(token);
    expect(guarded.delete('k', 'other')).toBe(false);
    expect(guarded.delete('k', 't')).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('turns a throwing store into a miss, a skipped write and a false delete, each reported', () => {
    const boom = new Error('down');
    const { guarded, errors } = guard({
      get: () => {
        throw boom;
      },
      set: () => {
        throw boom;
      },
      delete: () => {
        throw boom;
      },
    });
    expect(guarded.get('k')).toBeUndefined();
    expect(guarded.set('k', token, 1)).toBeUndefined();
    expect(guarded.delete('k')).toBe(false);
    expect(errors).toEqual([
      ['get', boom],
      ['set', boom],
      ['delete', boom],
    ]);
  });

  it('answers a silent get with a miss once its bound passes, and reports STORE_TIMEOUT', async () => {
    const { guarded, clock, errors } = guard({ get: () => new Promise(() => {}), set: () => {}, delete: () => false });
    const read = guarded.get('k');
    clock.advance(99);
    expect(errors).toHaveLength(0);
    clock.advance(1);
    await expect(read).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toBe('get');
    expect(errors[0]![1]).toBeInstanceOf(StoreTimeoutError);
    expect(errors[0]![1]).toMatchObject({
      name: 'StoreTimeoutError',
      code: 'STORE_TIMEOUT',
      message: 'token store "get" did not answer within 100 ms',
    });
  });

  it('observes a rejection that arrives after the bound, without reporting it twice', async () => {
    let reject: (error: Error) => void = () => {};
    const { guarded, clock, errors } = guard({
      get: () => new Promise((_, r) => (reject = r)),
      set: () => {},
      delete: () => false,
    });
    const read = guarded.get('k');
    clock.advance(100);
    await expect(read).resolves.toBeUndefined();
    reject(new Error('late'));
    await flush();
    expect(errors).toHaveLength(1); // the spec's unhandled-rejection guard fails the file otherwise
  });

  it('bounds lock apart from reads, rejects when undecided, and releases a grant that comes too late', async () => {
    let grant: (lease: StoreLease) => void = () => {};
    let released = 0;
    const { guarded, clock, errors } = guard({
      get: () => undefined,
      set: () => {},
      delete: () => false,
      lock: () => new Promise((resolve) => (grant = resolve)),
    });
    const locking = guarded.lock('k', 5_000);
    clock.advance(100); // a read's bound, not the lock's
    expect(errors).toHaveLength(0);
    clock.advance(200);
    await expect(locking).rejects.toThrow('token store "lock" failed or did not answer in time');
    expect(errors.map(([operation]) => operation)).toEqual(['lock']);
    grant({
      extend: async () => true,
      release: async () => {
        released += 1;
      },
    });
    await flush();
    expect(released).toBe(1);
  });

  it('bounds a release that never settles', async () => {
    const { guarded, clock, errors } = guard({
      get: () => undefined,
      set: () => {},
      delete: () => false,
      lock: () => Promise.resolve({ extend: async () => true, release: () => new Promise<void>(() => {}) }),
    });
    const lease = await guarded.lock('k', 5_000);
    const releasing = lease!.release();
    clock.advance(300);
    await expect(releasing).resolves.toBeUndefined();
    expect(errors.map(([operation]) => operation)).toEqual(['lock']);
  });
});
