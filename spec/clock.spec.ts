import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { installClientCredentials, MemoryTokenStore, OAuth2Error, type ClientCredentialsOptions } from '../lib';
import { systemClock } from '../lib/clock';
import type { ClientCredentialsEvent } from '../lib/events';
import { Telemetry } from '../lib/telemetry';
import { KeyedLock } from '../lib/lock';
import { TokenManager } from '../lib/token-manager';
import type { AccessToken } from '../lib/types';
import { ManualClock } from './support/clock';
import { json, startApiServer, startLoopbackServer, type LoopbackServer } from './support/loopback';

const HOUR_MS = 3_600_000;

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('systemClock', () => {
  it('runs its timers unref’d, so a pending wait never keeps the process alive', () => {
    const spy = jest.spyOn(global, 'setTimeout');
    const cancel = systemClock.after(60_000, () => {});
    void systemClock.sleep(60_000);
    const timers = spy.mock.results.map((result) => result.value as NodeJS.Timeout);
    expect(timers).toHaveLength(2);
    expect(timers.map((timer) => timer.hasRef())).toEqual([false, false]);
    cancel();
    timers.forEach((timer) => clearTimeout(timer));
    spy.mockRestore();
  });

  it('keeps a timer from after() with keepAlive ref’d: a connection it closes is not left behind', () => {
    const spy = jest.spyOn(global, 'setTimeout');
    const cancel = systemClock.after(60_000, () => {}, true);
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(spy).toHaveBeenCalledTimes(1);
    expect(timer.hasRef()).toBe(true);
    cancel();
    spy.mockRestore();
  });

  it('keeps a sleep with keepAlive ref’d: a script awaiting a retry does not exit mid-wait', () => {
    const spy = jest.spyOn(global, 'setTimeout');
    void systemClock.sleep(60_000, true);
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(true);
    clearTimeout(timer);
    spy.mockRestore();
  });
});

describe('a wall-clock step', () => {
  let tokenServer: LoopbackServer;
  let api: LoopbackServer;
  let answers: Array<'invalid_client' | 'ok'>;
  let issued: string[];

  beforeAll(async () => {
    issued = [];
    tokenServer = await startLoopbackServer((_req, res) => {
      if (answers.shift() === 'invalid_client') return json(res, 401, { error: 'invalid_client' });
      const token = `token-${issued.length + 1}`;
      issued.push(token);
      return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
    });
    api = await startApiServer((token) => issued.includes(token));
  });
  afterAll(async () => {
    await tokenServer.close();
    await api.close();
  });

  it('does not keep calls failing fast beyond a 1-second cooldown after invalid_client', async () => {
    answers = ['invalid_client', 'ok'];
    tokenServer.requests.length = 0;
    const clock = new ManualClock();
    const instance = axios.create({ baseURL: api.origin });
    installClientCredentials(instance, {
      tokenUrl: `${tokenServer.origin}/token`,
      clientId: 'stepped',
      clientSecret: 'stepped-secret',
      store: new MemoryTokenStore(),
      errorCooldownSeconds: 1,
      clock,
    } as ClientCredentialsOptions);
    await expect(instance.get('/a')).rejects.toMatchObject({ name: 'OAuth2Error', error: 'invalid_client' });
    await expect(instance.get('/a')).rejects.toBeInstanceOf(OAuth2Error); // within the cooldown: fails fast
    expect(tokenServer.requests).toHaveLength(1);
    clock.stepWall(-HOUR_MS);
    clock.advance(1_000);
    const response = await instance.get<{ token: string }>('/a');
    expect(response.status).toBe(200);
    expect(response.data.token).toBe('token-1');
    expect(tokenServer.requests).toHaveLength(2);
  });

  it('does not cut the background renewal backoff short when the wall clock jumps ahead', async () => {
    const clock = new ManualClock();
    const events: ClientCredentialsEvent[] = [];
    const outcomes: Array<() => AccessToken> = [];
    let exchanges = 0;
    const manager = new TokenManager({
      key: 'k',
      store: new MemoryTokenStore(),
      lock: new KeyedLock(),
      refreshBeforeExpiryMs: 10_000,
      clock,
      random: () => 0,
      telemetry: new Telemetry({ listener: (event) => events.push(event), log: undefined }),
      exchange: async () => {
        exchanges += 1;
        await new Promise((resolve) => setImmediate(resolve));
        return outcomes.shift()!();
      },
    });
    const issue = (accessToken: string) =>
      outcomes.push(() => ({
        accessToken,
        tokenType: 'Bearer',
        issuedAt: clock.now(),
        expiresAt: clock.now() + 60_000,
      }));
    issue('t1');
    await manager.acquire();
    outcomes.push(() => {
      throw new Error('down');
    });
    clock.advance(50_000); // the renewal window opens
    expect((manager.acquire() as AccessToken).accessToken).toBe('t1');
    await flush();
    expect(exchanges).toBe(2);
    expect(events.filter((e) => e.type === 'background_renewal_failed')).toHaveLength(1);
    // The wall clock jumps 5 seconds ahead: the token is still usable, the 1-second backoff still runs.
    clock.stepWall(5_000);
    expect((manager.acquire() as AccessToken).accessToken).toBe('t1');
    await flush();
    expect(exchanges).toBe(2);
    clock.advance(1_000);
    issue('t2');
    expect((manager.acquire() as AccessToken).accessToken).toBe('t1');
    await flush();
    expect(exchanges).toBe(3);
    expect((manager.acquire() as AccessToken).accessToken).toBe('t2');
  });
});

describe('a token request retry', () => {
  // The server asks for 8 seconds, longer than this spec's 5-second timeout: a real sleep fails it.
  it('waits its Retry-After on the injected clock, and a wall-clock step back does not stretch it', async () => {
    let answered = 0;
    const tokenServer = await startLoopbackServer((_req, res) => {
      answered += 1;
      if (answered === 1) return void res.writeHead(503, { 'retry-after': '8' }).end('busy');
      return json(res, 200, { access_token: 'after-the-wait', token_type: 'Bearer', expires_in: 3600 });
    });
    try {
      const clock = new ManualClock();
      const handle = installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
        tokenUrl: `${tokenServer.origin}/token`,
        clientId: 'retried',
        clientSecret: 'retried-secret',
        allowHttpTokenUrl: true,
        store: new MemoryTokenStore(),
        clock,
      } as ClientCredentialsOptions);
      const token = handle.getToken();
      while (tokenServer.requests.length < 1) await flush();
      await flush();
      clock.stepWall(-HOUR_MS);
      clock.advance(7_999);
      await flush();
      expect(tokenServer.requests).toHaveLength(1);
      clock.advance(1);
      expect((await token).accessToken).toBe('after-the-wait');
      expect(tokenServer.requests).toHaveLength(2);
    } finally {
      await tokenServer.close();
    }
  }, 5_000);
});

describe('event durations', () => {
  it("are measured on the installation's monotonic clock", async () => {
    const clock = new ManualClock();
    const tokenClient = axios.create();
    new MockAdapter(tokenClient).onPost('https://auth.example.com/token').reply(() => {
      clock.advance(250);
      clock.stepWall(-HOUR_MS); // a step back in the middle: no negative or stretched duration
      return [200, { access_token: 'timed', token_type: 'Bearer', expires_in: 3600 }];
    });
    const events: ClientCredentialsEvent[] = [];
    const handle = installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
      tokenUrl: 'https://auth.example.com/token',
      clientId: 'timed',
      clientSecret: 'timed-secret',
      store: new MemoryTokenStore(),
      tokenClient,
      onEvent: (event) => events.push(event),
      clock,
    } as ClientCredentialsOptions);
    await handle.getToken();
    const durations = events.flatMap((event) => ('durationMs' in event ? [[event.type, event.durationMs]] : []));
    expect(durations).toEqual([
      ['exchange_succeeded', 250],
      ['token_wait', 250],
    ]);
  });
});

describe('a token request timeout', () => {
  let silent: LoopbackServer;

  beforeAll(async () => {
    silent = await startLoopbackServer(() => {}); // takes the request and never answers
  });
  afterAll(async () => {
    await silent.close();
  });

  it('ends a request the server never answers with TOKEN_ENDPOINT_TIMEOUT once tokenRequestTimeoutMs passes on the clock', async () => {
    const clock = new ManualClock();
    const handle = installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
      tokenUrl: `${silent.origin}/token`,
      clientId: 'unanswered',
      clientSecret: 'unanswered-secret',
      store: new MemoryTokenStore(),
      tokenRequestTimeoutMs: 60_000,
      tokenRequestRetries: 0,
      tokenAcquisitionTimeoutMs: 120_000,
      clock,
    } as ClientCredentialsOptions);
    let outcome: unknown = 'pending';
    const failed = handle.getToken().then(
      () => (outcome = 'answered'),
      (error: unknown) => (outcome = error),
    );
    while (silent.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    clock.advance(59_999);
    await flush();
    expect(outcome).toBe('pending');
    clock.advance(1);
    await flush();
    expect(outcome).toMatchObject({
      name: 'TokenRequestError',
      code: 'TOKEN_ENDPOINT_TIMEOUT',
      message: 'token endpoint did not answer within 60000 ms',
    });
    await failed;
    expect(silent.requests).toHaveLength(1);
  });

  it('ends a metadata request the server never answers with DISCOVERY_FAILED once tokenRequestTimeoutMs passes on the clock', async () => {
    const clock = new ManualClock();
    const issuer = `${silent.origin}/issuer-${silent.requests.length}`;
    const handle = installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
      issuer,
      allowHttpTokenUrl: true,
      clientId: 'undiscovered',
      clientSecret: 'undiscovered-secret',
      store: new MemoryTokenStore(),
      tokenRequestTimeoutMs: 60_000,
      tokenRequestRetries: 0,
      tokenAcquisitionTimeoutMs: 300_000,
      clock,
    } as ClientCredentialsOptions);
    const before = silent.requests.length;
    let outcome: unknown = 'pending';
    const failed = handle.getToken().then(
      () => (outcome = 'answered'),
      (error: unknown) => (outcome = error),
    );
    while (silent.requests.length === before) await new Promise((resolve) => setImmediate(resolve));
    clock.advance(59_999);
    await flush();
    expect(outcome).toBe('pending');
    expect(silent.requests).toHaveLength(before + 1);
    clock.advance(1);
    await flush();
    expect(outcome).toMatchObject({
      name: 'DiscoveryError',
      code: 'DISCOVERY_FAILED',
      message: `metadata request to ${silent.origin}/.well-known/oauth-authorization-server/${issuer.split('/').pop()} did not complete within 60000 ms`,
    });
    await failed;
  });
});
