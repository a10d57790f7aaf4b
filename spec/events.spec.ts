import axios from 'axios';
import createDebug from 'debug';
import { installClientCredentials, MemoryTokenStore, type ClientCredentialsEvent } from '../lib';
import { log } from '../lib/events';
import { startFaultServer, type FaultServer } from './support/fault-server';
import { startApiServer, type LoopbackServer } from './support/loopback';

const SECRET = 'events-secret-d41d8cd98f00';

describe('installClientCredentials() events, counters and debug output', () => {
  let tokens: FaultServer;
  let apiServer: LoopbackServer;

  beforeAll(async () => {
    tokens = await startFaultServer();
    // token-1 is refused, so the first request is replayed with token-2.
    apiServer = await startApiServer((t) => t !== 'token-1' && tokens.issued.includes(t));
  });
  afterAll(async () => {
    createDebug.disable();
    await tokens.close();
    await apiServer.close();
  });

  it('reports every step without a secret or a token, in events and in debug output', async () => {
    const debugLines: string[] = [];
    createDebug.enable('axios-client-credentials');
    const originalLog = log.log;
    log.log = (...args: unknown[]) => void debugLines.push(args.map(String).join(' '));
    const events: ClientCredentialsEvent[] = [];
    try {
      tokens.script(
        { kind: 'reply', status: 503, body: 'down', headers: { 'Retry-After': '0' } },
        { kind: 'token' },
        { kind: 'token' },
      );
      const api = axios.create({ baseURL: apiServer.origin });
      const handle = installClientCredentials(api, {
        tokenUrl: tokens.tokenUrl,
        clientId: 'svc',
        clientSecret: SECRET,
        store: new MemoryTokenStore(),
        onEvent: (event) => events.push(event),
      });
      expect((await api.get('/one')).status).toBe(200);
      expect((await api.get('/two')).status).toBe(200);

      expect(events.map((e) => e.type)).toEqual([
        'lock_wait',
        'exchange_retry',
        'token_acquired',
        'unauthorized_replay',
        'lock_wait',
        'token_acquired',
        'token_acquired',
      ]);
      expect(events.filter((e) => e.type === 'token_acquired').map((e) => e.source)).toEqual([
        'network',
        'network',
        'memory',
      ]);
      expect(handle.stats()).toEqual({
        exchanges: 2,
        tokenRequests: 3,
        cacheHits: 1,
        waits: 2,
        replays: 1,
        failures: 0,
        backgroundRenewals: 0,
      });
      expect(debugLines.join('\n')).toMatch(/exchange_retry/);
      const everything = JSON.stringify(events) + debugLines.join('\n') + JSON.stringify(handle.stats());
      for (const secret of [SECRET, Buffer.from(`svc:${SECRET}`).toString('base64'), ...tokens.issued]) {
        expect(everything).not.toContain(secret);
      }
    } finally {
      log.log = originalLog;
      createDebug.disable();
    }
  });

  it('never lets a throwing listener break a request', async () => {
    tokens.script({ kind: 'token' }, { kind: 'token' });
    const api = axios.create({ baseURL: apiServer.origin });
    installClientCredentials(api, {
      tokenUrl: tokens.tokenUrl,
      clientId: 'svc',
      clientSecret: SECRET,
      store: new MemoryTokenStore(),
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    expect((await api.get('/x')).status).toBe(200);
    expect((await api.get('/y')).status).toBe(200);
  });

  it('reports a store that fails, and carries on without it', async () => {
    tokens.script({ kind: 'token' });
    const events: ClientCredentialsEvent[] = [];
    const failing = {
      get: () => {
        throw new Error('store down');
      },
      set: () => Promise.reject(new Error('store down')),
      delete: () => false,
    };
    const api = axios.create({ baseURL: apiServer.origin });
    const requestsBefore = apiServer.requests.length;
    installClientCredentials(api, {
      tokenUrl: tokens.tokenUrl,
      clientId: 'svc',
      clientSecret: SECRET,
      store: failing,
      retryOnUnauthorized: false,
      onEvent: (event) => events.push(event),
    });
    await api.get('/x').catch(() => undefined);
    expect(apiServer.requests.length - requestsBefore).toBe(1);
    expect(events.filter((e) => e.type === 'store_error')).toEqual([
      { type: 'store_error', operation: 'get', error: { name: 'Error', code: undefined, status: undefined } },
      { type: 'store_error', operation: 'get', error: { name: 'Error', code: undefined, status: undefined } },
      { type: 'store_error', operation: 'set', error: { name: 'Error', code: undefined, status: undefined } },
    ]);
  });
});
