import { clockFrom } from './support/clock';
import type { ClientCredentialsEvent } from '../lib/events';
import { Telemetry } from '../lib/telemetry';
import { KeyedLock } from '../lib/lock';
import {
  BACKGROUND_BACKOFF_MAX_MS,
  BackgroundRenewal,
  backgroundBackoffMs,
  EXPIRY_MARGIN,
  RENEWAL_JITTER,
  RENEWAL_SHARE,
  renewalTiming,
  renewalWindowMs,
} from '../lib/refresh';
import { MemoryTokenStore } from '../lib/stores/memory';
import { TokenManager } from '../lib/token-manager';
import type { AccessToken } from '../lib/types';

const token = (lifetimeMs: number, extra: Partial<AccessToken> = {}): AccessToken => ({
  accessToken: 'x',
  tokenType: 'Bearer',
  issuedAt: 0,
  expiresAt: lifetimeMs,
  ...extra,
});

describe('renewalTiming()', () => {
  it('opens the window the configured time before expiry and serves the token until a quarter of it is left', () => {
    expect(renewalTiming(token(3_600_000), 30_000, 0)).toEqual({ renewAt: 3_570_000, usableUntil: 3_592_500 });
  });

  it('clamps the window to a sixth of the lifetime for short-lived tokens, so a fleet renews about once per lifetime', () => {
    expect(renewalTiming(token(6_000), 30_000, 0)).toEqual({
      renewAt: 5_000,
      usableUntil: 6_000 - 1_000 * EXPIRY_MARGIN,
    });
    // The earliest renewal point of any process (the largest jitter) still leaves ≤ 1.25 exchanges per lifetime.
    const earliest = renewalTiming(token(5_000), 30_000, 0.999).renewAt;
    expect(5_000 / earliest).toBeLessThanOrEqual(1.25);
  });

  it('draws the jitter earlier, within a tenth of the window, never before the token was issued', () => {
    for (const lifetime of [1_000, 5_000, 60_000, 3_600_000]) {
      for (const jitter of [0, 0.25, 0.5, 0.999]) {
        const { renewAt, usableUntil } = renewalTiming(token(lifetime), 30_000, jitter);
        const window = Math.min(30_000, lifetime * RENEWAL_SHARE);
        expect(renewAt).toBeLessThanOrEqual(lifetime - window);
        expect(renewAt).toBeGreaterThanOrEqual(lifetime - window * (1 + RENEWAL_JITTER));
        expect(renewAt).toBeGreaterThan(0);
        expect(renewAt).toBeLessThan(usableUntil);
      }
    }
    // Exactly: a jitter of j opens it j tenths of the window earlier.
    expect(renewalTiming(token(3_600_000), 30_000, 0.5).renewAt).toBe(3_568_500);
    expect(renewalTiming(token(6_000), 30_000, 0.5).renewAt).toBe(4_950);
  });

  it('measures the lifetime from the time of issue, not from the epoch', () => {
    const issued = token(1_006_000, { issuedAt: 1_000_000 });
    expect(renewalTiming(issued, 30_000, 0)).toEqual({ renewAt: 1_005_000, usableUntil: 1_005_750 });
    expect(renewalWindowMs(issued, 30_000)).toBe(1_000);
  });

  it('gives a token that expires before its time of issue no window: renewed and withdrawn at expiry', () => {
    const skewed = token(1_000, { issuedAt: 2_000 });
    expect(renewalWindowMs(skewed, 30_000)).toBe(0);
    expect(renewalTiming(skewed, 30_000, 0.5)).toEqual({ renewAt: 1_000, usableUntil: 1_000 });
  });

  it('honours a refresh_in hint, but never past the usable margin', () => {
    expect(renewalTiming(token(3_600_000, { refreshAt: 600_000 }), 30_000, 0.5).renewAt).toBe(600_000);
    expect(renewalTiming(token(60_000, { refreshAt: 59_000 }), 30_000, 0).renewAt).toBe(
      60_000 - 10_000 * EXPIRY_MARGIN,
    );
  });
});

describe('renewalWindowMs()', () => {
  it('is the configured window, or a sixth of the lifetime when that is shorter', () => {
    expect(renewalWindowMs(token(3_600_000), 30_000)).toBe(30_000);
    expect(renewalWindowMs(token(60_000), 30_000)).toBe(10_000);
    expect(renewalWindowMs(token(180_000), 30_000)).toBe(30_000);
    expect(renewalWindowMs(token(3_600_000), 0)).toBe(0);
  });
});

describe('BackgroundRenewal', () => {
  it('lets one renewal run at a time', () => {
    const renewal = new BackgroundRenewal();
    expect(renewal.tryStart(0)).toBe(true);
    expect(renewal.tryStart(0)).toBe(false);
    expect(renewal.tryStart(1_000_000)).toBe(false);
    renewal.succeeded();
    expect(renewal.tryStart(0)).toBe(true);
  });

  it('waits out a backoff after each failure, doubling it, and starts over after a success', () => {
    const renewal = new BackgroundRenewal();
    expect(renewal.tryStart(5_000)).toBe(true);
    expect(renewal.failed(5_000)).toBe(1_000);
    expect(renewal.tryStart(5_999)).toBe(false);
    expect(renewal.tryStart(6_000)).toBe(true);
    expect(renewal.failed(7_000)).toBe(2_000);
    expect(renewal.tryStart(8_999)).toBe(false);
    expect(renewal.tryStart(9_000)).toBe(true);
    expect(renewal.failed(9_000)).toBe(4_000);
    expect(renewal.tryStart(13_000)).toBe(true);
    renewal.succeeded();
    // No backoff left after a success, and the next failure waits one second again.
    expect(renewal.tryStart(13_000)).toBe(true);
    expect(renewal.failed(13_000)).toBe(1_000);
    expect(renewal.tryStart(13_999)).toBe(false);
  });

  it('clears the backoff on a success', () => {
    const renewal = new BackgroundRenewal();
    renewal.tryStart(0);
    renewal.failed(10_000);
    renewal.succeeded();
    expect(renewal.tryStart(10_000)).toBe(true);
  });
});

describe('backgroundBackoffMs()', () => {
  it('doubles from one second up to the cap', () => {
    expect([1, 2, 3, 4].map(backgroundBackoffMs)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([5, 6, 20].map(backgroundBackoffMs)).toEqual([16_000, 30_000, 30_000]);
    expect(BACKGROUND_BACKOFF_MAX_MS).toBe(30_000);
  });
});

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

function harness() {
  let now = 0;
  const events: ClientCredentialsEvent[] = [];
  const telemetry = new Telemetry({
    name: 'refresh',
    listener: (event) => events.push(event),
    log: undefined,
    monotonicNow: () => now,
  });
  const answers: Array<() => AccessToken> = [];
  let exchanges = 0;
  const manager = new TokenManager({
    key: 'k',
    store: new MemoryTokenStore(),
    lock: new KeyedLock(),
    refreshBeforeExpiryMs: 10_000,
    clock: clockFrom(() => now),
    random: () => 0,
    telemetry,
    exchange: async () => {
      exchanges += 1;
      await new Promise((resolve) => setImmediate(resolve));
      const next = answers.shift();
      if (next === undefined) throw new Error('no answer scripted');
      return next();
    },
  });
  const issue = (accessToken: string, lifetimeMs = 60_000, extra: Partial<AccessToken> = {}) =>
    answers.push(() => ({ accessToken, tokenType: 'Bearer', issuedAt: now, expiresAt: now + lifetimeMs, ...extra }));
  const fail = () =>
    answers.push(() => {
      throw Object.assign(new Error('down'), { name: 'TokenRequestError', code: 'TOKEN_ENDPOINT_UNREACHABLE' });
    });
  const sync = () => (manager.acquire() as AccessToken).accessToken;
  return {
    manager,
    telemetry,
    events,
    issue,
    fail,
    sync,
    exchanges: () => exchanges,
    advance: (ms: number) => (now += ms),
  };
}

describe('TokenManager refresh ahead', () => {
  it('keeps serving the valid token when the background renewal fails, and retries after a backoff', async () => {
    const h = harness();
    h.issue('t1');
    await h.manager.acquire();
    h.fail();
    h.advance(50_000); // the window opens
    expect(h.sync()).toBe('t1');
    await flush();
    expect(h.exchanges()).toBe(2);
    expect(h.events).toContainEqual({
      type: 'background_renewal_failed',
      name: 'refresh',
      error: { name: 'TokenRequestError', code: 'TOKEN_ENDPOINT_UNREACHABLE', status: undefined },
      retryInMs: 1_000,
    });
    // Within the backoff: served, no new exchange.
    h.advance(999);
    expect(h.sync()).toBe('t1');
    await flush();
    expect(h.exchanges()).toBe(2);
    // After it: one more background attempt, which succeeds.
    h.issue('t2');
    h.advance(1);
    expect(h.sync()).toBe('t1');
    await flush();
    expect(h.exchanges()).toBe(3);
    expect(h.sync()).toBe('t2');
  });

  it('makes a caller wait, and fail, only once the token is no longer usable', async () => {
    const h = harness();
    h.issue('t1');
    await h.manager.acquire();
    h.fail();
    h.fail();
    // The last moment it is usable: served at once, though its background renewal fails.
    h.advance(57_499);
    expect(h.sync()).toBe('t1');
    await flush();
    expect(h.exchanges()).toBe(2);
    // Then a caller waits for an exchange of its own, and gets its failure.
    h.advance(1);
    const waiting = h.manager.acquire();
    expect(waiting).toBeInstanceOf(Promise);
    await expect(waiting).rejects.toThrow('down');
    expect(h.exchanges()).toBe(3);
  });

  it('does not loop when the server hands back the very same token', async () => {
    const h = harness();
    h.issue('t1');
    await h.manager.acquire();
    h.advance(50_000);
    h.issue('t1', 10_000); // the same token, still due for renewal
    expect(h.sync()).toBe('t1');
    await flush();
    for (let i = 0; i < 100; i += 1) h.sync();
    await flush();
    expect(h.exchanges()).toBe(2);
  });

  it('renews at the refresh_in hint', async () => {
    const h = harness();
    h.issue('t1', 60_000, { refreshAt: 20_000 });
    await h.manager.acquire();
    h.advance(19_999);
    expect(h.sync()).toBe('t1');
    await flush();
    expect(h.exchanges()).toBe(1);
    h.issue('t2');
    h.advance(1);
    expect(h.sync()).toBe('t1');
    await flush();
    expect(h.sync()).toBe('t2');
    expect(h.events.filter((e) => e.type === 'renewal_scheduled')).toHaveLength(1);
  });

  it('reports one wait for a burst of callers and no event for a cache hit, counting both', async () => {
    const h = harness();
    h.issue('t1');
    const burst = [h.manager.acquire(), h.manager.acquire(), h.manager.acquire()];
    h.advance(250);
    await Promise.all(burst);
    expect(h.sync()).toBe('t1');
    expect(h.sync()).toBe('t1');
    expect(h.events).toEqual([
      { type: 'token_wait', name: 'refresh', callers: 3, durationMs: 250, outcome: 'succeeded' },
    ]);
    expect(h.telemetry.stats()).toMatchObject({ waits: 3, cacheHits: 2 });
  });

  it('reports a failed wait once for its burst', async () => {
    const h = harness();
    h.fail();
    const burst = [h.manager.acquire(), h.manager.acquire()];
    await expect(Promise.all(burst)).rejects.toMatchObject({ name: 'TokenRequestError' });
    await flush();
    expect(h.events).toEqual([{ type: 'token_wait', name: 'refresh', callers: 2, durationMs: 0, outcome: 'failed' }]);
  });
});
