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
    let runs = 0;
    const run = async () => {
      runs += 1;
      await tick();
      return runs;
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => lock.singleFlight('k', run)));
    expect(runs).toBe(1);
    expect(new Set(results)).toEqual(new Set([1]));
    await lock.singleFlight('k', run);
    expect(runs).toBe(2);
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

  it('gives every user of one store the same registry', () => {
    const store = {};
    expect(lockFor(store)).toBe(lockFor(store));
    expect(lockFor(store)).not.toBe(lockFor({}));
  });
});
