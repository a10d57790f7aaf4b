import { createRedisCall } from '../../lib/stores/redis-call';
import type { RedisAdapter } from '../../lib/stores/redis-client';
import { Wakeups } from '../../lib/stores/redis-wakeups';

/** The timers `setTimeout` made while `run` ran, each cleared afterwards. */
async function timersOf(run: () => Promise<void>): Promise<NodeJS.Timeout[]> {
  const spy = jest.spyOn(global, 'setTimeout');
  try {
    await run();
    return spy.mock.results.map((result) => result.value as NodeJS.Timeout);
  } finally {
    spy.mockRestore();
  }
}

const never = <T>() => new Promise<T>(() => {});

describe("RedisTokenStore's timers on the system clock", () => {
  it("keep a command's time limit ref'd, as before the clock was injected", async () => {
    const call = createRedisCall(300, undefined);
    const timers = await timersOf(async () => void call('get', never));
    expect(timers).toHaveLength(1);
    expect(timers[0]!.hasRef()).toBe(true);
    timers.forEach((timer) => clearTimeout(timer));
  });

  it("keep a waiter's timer, its look at the lease and the subscriber's linger ref'd", async () => {
    let closed = 0;
    const redis = {
      pttl: () => Promise.resolve(-2), // the lock is gone: the waiter wakes at once
      subscriber: () => ({ subscribe: () => Promise.resolve(), close: () => (closed += 1) }),
    } as unknown as RedisAdapter;
    const wakeups = new Wakeups(redis, createRedisCall(300, undefined), 300);
    const timers = await timersOf(() => wakeups.wait('lock', 60_000));
    // The waiter's fallback, the subscription's and the lease look's time limits, the linger.
    expect(timers.map((timer) => timer.hasRef())).toEqual([true, true, true, true]);
    timers.forEach((timer) => clearTimeout(timer));
    expect(closed).toBe(0);
  });
});
