import { OAuth2Error, TokenRequestError } from '../lib/errors';
import { deadlineIn } from '../lib/deadline';
import { isRetryable, parseRetryAfter, retryDelayMs, withRetries } from '../lib/retry';
import { ManualClock } from './support/clock';

const policy = { retries: 3, baseDelayMs: 200, maxDelayMs: 1_000 };

describe('retryDelayMs()', () => {
  it('draws a full-jitter delay below a step that doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((retry) => retryDelayMs(policy, retry, undefined, () => 0.999))).toEqual([
      199, 399, 799, 999, 999,
    ]);
    expect(retryDelayMs(policy, 3, undefined, () => 0)).toBe(0);
  });

  it('waits what Retry-After says, and not at all past the cap', () => {
    expect(retryDelayMs(policy, 1, 1_000)).toBe(1_000);
    expect(retryDelayMs(policy, 1, 1_001)).toBeUndefined();
  });
});

describe('parseRetryAfter()', () => {
  it('reads delay-seconds and HTTP dates, never negative', () => {
    const now = Date.parse('Sun, 22 Nov 2026 17:00:00 GMT');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 17:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 16:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('isRetryable()', () => {
  it('retries network errors, timeouts, 5xx and 429, never OAuth errors or malformed answers', () => {
    const http = (status: number) => new TokenRequestError('TOKEN_RESPONSE_HTTP_ERROR', 'x', { status });
    expect(isRetryable(new TokenRequestError('TOKEN_ENDPOINT_UNREACHABLE', 'x'))).toBe(true);
    expect(isRetryable(new TokenRequestError('TOKEN_ENDPOINT_TIMEOUT', 'x'))).toBe(true);
    expect([500, 502, 503, 429, 404, 400].map((status) => isRetryable(http(status)))).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(isRetryable(new TokenRequestError('TOKEN_RESPONSE_INVALID', 'x', { status: 200 }))).toBe(false);
    expect(isRetryable(new OAuth2Error({ error: 'temporarily_unavailable', status: 503 }))).toBe(false);
  });
});

describe('withRetries()', () => {
  it('calls the attempt once per try and throws the last error', async () => {
    let attempts = 0;
    const error = new TokenRequestError('TOKEN_ENDPOINT_UNREACHABLE', 'down');
    const retries: number[] = [];
    await expect(
      withRetries(
        { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
        () => {
          attempts += 1;
          return Promise.reject(error);
        },
        { onRetry: (_error, retry) => retries.push(retry) },
      ),
    ).rejects.toBe(error);
    expect(attempts).toBe(3);
    expect(retries).toEqual([1, 2]);
  });
});

describe('withRetries() under a deadline', () => {
  const unavailable = (retryAfterMs?: number): TokenRequestError =>
    new TokenRequestError('TOKEN_RESPONSE_HTTP_ERROR', 'down', { status: 503, retryAfterMs });

  it('throws the last error at once when the wait would end after the deadline', async () => {
    let attempts = 0;
    const retries: number[] = [];
    const failing = withRetries(
      { retries: 3, baseDelayMs: 200, maxDelayMs: 60_000 },
      () => {
        attempts += 1;
        return Promise.reject(unavailable(30_000));
      },
      { onRetry: (_error, retry) => retries.push(retry), deadline: deadlineIn(10_000) },
    );
    await expect(failing).rejects.toMatchObject({ code: 'TOKEN_RESPONSE_HTTP_ERROR', retryAfterMs: 30_000 });
    expect({ attempts, retries }).toEqual({ attempts: 1, retries: [] });
  });

  it('retries while the wait fits in the time left', async () => {
    let attempts = 0;
    const result = await withRetries(
      { retries: 3, baseDelayMs: 200, maxDelayMs: 60_000 },
      () => {
        attempts += 1;
        return attempts < 3 ? Promise.reject(unavailable(0)) : Promise.resolve('token');
      },
      { deadline: deadlineIn(10_000) },
    );
    expect({ result, attempts }).toEqual({ result: 'token', attempts: 3 });
  });
});

describe('withRetries() timers', () => {
  it.each([
    ['keeps the process alive for a backoff a caller waits for', false, true],
    ['never keeps the process alive for a background backoff', true, false],
  ])('%s', async (_title, background, ref) => {
    const spy = jest.spyOn(global, 'setTimeout');
    try {
      let attempts = 0;
      await withRetries(
        { retries: 1, baseDelayMs: 1, maxDelayMs: 1 },
        () => {
          attempts += 1;
          return attempts === 1
            ? Promise.reject(new TokenRequestError('TOKEN_ENDPOINT_UNREACHABLE', 'down'))
            : Promise.resolve('ok');
        },
        { background },
      );
      const timers = spy.mock.results.map((result) => result.value as NodeJS.Timeout);
      expect(timers.map((timer) => timer.hasRef())).toEqual([ref]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('withRetries() on an injected clock', () => {
  const HOUR_MS = 3_600_000;
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };

  it('waits its backoff on the clock, and a wall-clock step back does not stretch it', async () => {
    const clock = new ManualClock();
    let attempts = 0;
    const result = withRetries(
      { retries: 2, baseDelayMs: 200, maxDelayMs: 60_000 },
      () => {
        attempts += 1;
        const unavailable = new TokenRequestError('TOKEN_RESPONSE_HTTP_ERROR', 'down', {
          status: 503,
          retryAfterMs: 5_000,
        });
        return attempts < 3 ? Promise.reject(unavailable) : Promise.resolve('token');
      },
      { deadline: deadlineIn(60_000, clock), clock },
    );
    await flush();
    expect(attempts).toBe(1);
    clock.stepWall(-HOUR_MS);
    clock.advance(4_999);
    await flush();
    expect(attempts).toBe(1);
    clock.advance(1);
    await flush();
    expect(attempts).toBe(2);
    clock.advance(5_000);
    expect(await result).toBe('token');
    expect(attempts).toBe(3);
    expect(clock.pendingTimers).toBe(1); // the deadline's own timer, unref'd
  });
});
