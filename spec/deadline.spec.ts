import axios from 'axios';
import { defaultAcquisitionTimeoutMs, deadlineIn, requestSignal, timedOut, untilDeadline } from '../lib/deadline';
import { ManualClock } from './support/clock';
import { resolveOptions } from '../lib/resolve-options';
import { installClientCredentials } from '../lib';
import type { ClientCredentialsOptions } from '../lib/options';
import { countingTokenClient } from './support/token-client';

const base = { tokenUrl: 'https://auth.example.com/token', clientId: 'c', clientSecret: 's' };

describe('defaultAcquisitionTimeoutMs()', () => {
  it('adds every attempt, the longest wait before each retry and, with discovery, two metadata requests', () => {
    const settings = { requestTimeoutMs: 30_000, retries: 2, retryMaxDelayMs: 10_000 };
    expect(defaultAcquisitionTimeoutMs({ ...settings, discovery: false })).toBe(110_000);
    expect(defaultAcquisitionTimeoutMs({ ...settings, discovery: true })).toBe(170_000);
    expect(defaultAcquisitionTimeoutMs({ ...settings, retries: 0, discovery: false })).toBe(30_000);
  });
});

describe('resolveOptions() deadlines and token limits', () => {
  const api = axios.create({ baseURL: 'https://api.example.com' });

  it('derives "tokenAcquisitionTimeoutMs" from the request timeout and retries, including a tokenClient timeout', () => {
    expect(resolveOptions(api, base).tokenAcquisitionTimeoutMs).toBe(110_000);
    expect(
      resolveOptions(api, { ...base, tokenRequestTimeoutMs: 1000, tokenRequestRetries: 0 }).tokenAcquisitionTimeoutMs,
    ).toBe(1000);
    expect(
      resolveOptions(api, { ...base, tokenClient: axios.create({ timeout: 5000 }) }).tokenAcquisitionTimeoutMs,
    ).toBe(35_000);
    expect(resolveOptions(api, { ...base, tokenAcquisitionTimeoutMs: 2500 }).tokenAcquisitionTimeoutMs).toBe(2500);
  });

  it('defaults "maxAccessTokenLength" to 8000', () => {
    expect(resolveOptions(api, base).maxAccessTokenLength).toBe(8000);
    expect(resolveOptions(api, { ...base, maxAccessTokenLength: 16_000 }).maxAccessTokenLength).toBe(16_000);
  });

  it.each([
    ['tokenAcquisitionTimeoutMs', 0, '"tokenAcquisitionTimeoutMs" option must be a finite number of at least 1'],
    ['tokenAcquisitionTimeoutMs', Infinity, '"tokenAcquisitionTimeoutMs" option must be a finite number of at least 1'],
    ['maxAccessTokenLength', '8000', '"maxAccessTokenLength" option must be a finite number of at least 1'],
    ['maxAccessTokenLength', 10.5, '"maxAccessTokenLength" option must be an integer'],
  ])('refuses %s: %p with a TypeError naming it', (name, value, message) => {
    expect(() => resolveOptions(api, { ...base, [name]: value })).toThrow(new TypeError(message));
  });
});

describe('requestSignal()', () => {
  it('aborts when the client defaults signal aborts, and only its own deadline counts as timed out', () => {
    const controller = new AbortController();
    const own = new AbortController();
    const signal = requestSignal(axios.create({ signal: controller.signal }), own.signal);
    controller.abort();
    expect(signal.aborted).toBe(true);
    expect(timedOut(own.signal)).toBe(false);
  });

  it('combines the signals where AbortSignal.any is missing (Node before 20.3)', () => {
    const any = Object.getOwnPropertyDescriptor(AbortSignal, 'any')!;
    Reflect.deleteProperty(AbortSignal, 'any');
    try {
      const outer = new AbortController();
      const signal = requestSignal(axios.create(), new AbortController().signal, outer.signal);
      expect(signal.aborted).toBe(false);
      outer.abort(new Error('late'));
      expect(signal.aborted).toBe(true);
      expect((signal.reason as Error).message).toBe('late');
    } finally {
      Object.defineProperty(AbortSignal, 'any', any);
    }
  });

  it('is the own signal when there is nothing to combine', () => {
    const own = new AbortController().signal;
    expect(requestSignal(axios.create(), own)).toBe(own);
  });
});

describe('deadlineIn()', () => {
  it('does not fire at once for a budget beyond the longest Node timer', async () => {
    const deadline = deadlineIn(1e12);
    // An overflowing timer would have fired after 1 ms.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.remainingMs()).toBeGreaterThan(1e11);
  });
});

describe('untilDeadline()', () => {
  it('rejects with the given error when the deadline has passed, and settles like the promise otherwise', async () => {
    const passed = deadlineIn(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(passed.remainingMs()).toBe(0);
    await expect(untilDeadline(new Promise(() => {}), passed, () => new Error('late'))).rejects.toThrow('late');
    await expect(untilDeadline(Promise.resolve(7), deadlineIn(10_000), () => new Error('late'))).resolves.toBe(7);
    await expect(
      untilDeadline(Promise.reject(new Error('own')), deadlineIn(10_000), () => new Error('late')),
    ).rejects.toThrow('own');
  });
});

describe('deadlineIn() on an injected clock', () => {
  it('aborts with a TimeoutError when the monotonic clock reaches it, whatever the wall clock does', () => {
    const clock = new ManualClock();
    const deadline = deadlineIn(10_000, clock);
    clock.stepWall(3_600_000);
    expect(deadline.remainingMs()).toBe(10_000);
    clock.advance(9_999);
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.remainingMs()).toBe(1);
    clock.advance(1);
    expect(timedOut(deadline.signal)).toBe(true);
  });

  it('never fires once released', () => {
    const clock = new ManualClock();
    const deadline = deadlineIn(10_000, clock);
    deadline.release();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(20_000);
    expect(deadline.signal.aborted).toBe(false);
  });
});

describe('the token acquisition deadline', () => {
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };

  it.each([
    // A secret's first value is read before the exchange, for the cache key: not an exchange's failure.
    ['a "clientSecret" provider that never answers', { clientSecret: () => new Promise<string>(() => {}) }, 0],
    ['a "clientAssertion" provider that never answers', { clientAssertion: () => new Promise<string>(() => {}) }, 1],
  ])(
    'ends an acquisition waiting on %s with TOKEN_ENDPOINT_TIMEOUT, sending no request',
    async (_name, credential, failures) => {
      const clock = new ManualClock();
      const { tokenClient, requests } = countingTokenClient();
      const handle = installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'client',
        tokenClient,
        tokenAcquisitionTimeoutMs: 5_000,
        clock,
        ...credential,
      } as unknown as ClientCredentialsOptions);
      const outcome = handle.getToken().catch((error: unknown) => error);
      await flush();
      clock.advance(4_999);
      await flush();
      clock.advance(1);
      await flush();
      await expect(Promise.race([outcome, Promise.resolve('still waiting')])).resolves.toMatchObject({
        name: 'TokenRequestError',
        code: 'TOKEN_ENDPOINT_TIMEOUT',
        message: 'no token within the 5000 ms token acquisition deadline',
      });
      expect({ requests: requests(), failures: handle.stats().failures }).toEqual({ requests: 0, failures });
    },
  );
});
