import { KeyedLock, lockFor } from '../lib/lock';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Critical sections that log when they enter and leave, across one event-loop turn. */
function recorder() {
  const events: string[] = [];
  const section = (name: string) => async () => {
    events.push(`${name} in`);
    await tick();
    events.push(`${name} out`);
  };
  return { events, section };
}

/** A flight that counts its runs and answers its run number, one event-loop turn later. */
function counter() {
  let count = 0;
  const run = async () => {
    count += 1;
    await tick();
    return count;
  };
  return { run, runs: () => count };
}

describe('KeyedLock', () => {
  it('runs critical sections on one key one at a time, in order', async () => {
    const lock = new KeyedLock();
    const { events, section } = recorder();
    await Promise.all([lock.exclusive('k', section('a')), lock.exclusive('k', section('b'))]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
  });

  it('lets different keys run at the same time', async () => {
    const lock = new KeyedLock();
    const { events, section } = recorder();
    await Promise.all([lock.exclusive('k1', section('a')), lock.exclusive('k2', section('b'))]);
    expect(events).toEqual(['a in', 'b in', 'a out', 'b out']);
  });

  it('joins callers that arrive during a flight to that flight', async () => {
    const lock = new KeyedLock();
    const { run, runs } = counter();
    const results = await Promise.all(Array.from({ length: 50 }, () => lock.singleFlight('k', run)));
    expect(runs()).toBe(1);
    expect(new Set(results)).toEqual(new Set([1]));
    await lock.singleFlight('k', run);
    expect(runs()).toBe(2);
  });

  it('rejects every joined caller with the same error and does not keep it', async () => {
    const lock = new KeyedLock();
    const failure = new Error('boom');
    const joined = Array.from({ length: 5 }, () =>
      lock.singleFlight('k', async () => {
        await tick();
        throw failure;
      }),
    );
    const errors = await Promise.all(joined.map((p) => p.catch((e: unknown) => e)));
    expect(errors.every((e) => e === failure)).toBe(true);
    await expect(lock.singleFlight('k', () => 'ok')).resolves.toBe('ok');
  });

  it('drops idle keys so many keys do not pile up', async () => {
    const lock = new KeyedLock();
    await Promise.all(Array.from({ length: 100 }, (_, i) => lock.exclusive(`k${i}`, tick)));
    expect(lock.activeKeys).toBe(0);
  });

  it('keeps a third caller out while the second holds the key, when it arrives after the first left', async () => {
    const lock = new KeyedLock();
    const { events, section } = recorder();
    const a = lock.exclusive('k', section('a'));
    const b = lock.exclusive('k', section('b'));
    await a;
    const c = lock.exclusive('k', section('c'));
    await Promise.all([b, c]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('answers what the critical section returns, and rejects with what it throws', async () => {
    const lock = new KeyedLock();
    const failure = new Error('boom');
    await expect(lock.exclusive('k', () => 42)).resolves.toBe(42);
    await expect(
      lock.exclusive('k', () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(lock.exclusive('k', () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(lock.exclusive('k', () => 'after')).resolves.toBe('after');
  });

  it('counts a key while its sections are queued or running, and drops it after a failure too', async () => {
    const lock = new KeyedLock();
    const a = lock.exclusive('k1', tick);
    const b = lock.exclusive('k1', tick);
    const c = lock.exclusive('k2', () => Promise.reject(new Error('boom')));
    expect(lock.activeKeys).toBe(2);
    await a;
    expect(lock.activeKeys).toBe(1);
    await Promise.all([b, c.catch(() => undefined)]);
    expect(lock.activeKeys).toBe(0);
  });

  it('starts a new flight once the last one settled, even while the key is still held', async () => {
    const lock = new KeyedLock();
    const { run } = counter();
    const first = lock.singleFlight('k', run);
    const held = lock.exclusive('k', tick);
    await expect(first).resolves.toBe(1);
    // The key is still held by `held`: a new caller gets a new run, queued behind it, not the settled one.
    await expect(lock.singleFlight('k', run)).resolves.toBe(2);
    await held;
    const failed = lock.singleFlight('k', () => Promise.reject(new Error('boom')));
    const stillHeld = lock.exclusive('k', tick);
    await expect(failed).rejects.toThrow('boom');
    await expect(lock.singleFlight('k', run)).resolves.toBe(3);
    await stillHeld;
    expect(lock.activeKeys).toBe(0);
  });

  it('queues a flight behind a critical section already holding the key', async () => {
    const lock = new KeyedLock();
    const { events, section } = recorder();
    const held = lock.exclusive('k', section('a'));
    const flights = [lock.singleFlight('k', section('b')), lock.singleFlight('k', section('c'))];
    await Promise.all([held, ...flights]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
  });

  it('gives every user of one store the same registry', () => {
    const store = {};
    expect(lockFor(store)).toBeInstanceOf(KeyedLock);
    expect(lockFor(store)).toBe(lockFor(store));
    expect(lockFor(store)).not.toBe(lockFor({}));
  });
});
