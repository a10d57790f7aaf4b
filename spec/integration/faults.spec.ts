import axios, { type AxiosInstance } from 'axios';
import {
  installClientCredentials,
  MemoryTokenStore,
  OAuth2Error,
  TokenRequestError,
  type ClientCredentialsEvent,
  type ClientCredentialsOptions,
} from '../../lib';
import { startFaultServer, type Fault, type FaultServer } from '../support/fault-server';
import { ManualClock } from '../support/clock';
import { startApiServer, type LoopbackServer } from '../support/loopback';

const SECRET = 'fault-secret-value';

describe('installClientCredentials() against a faulty token endpoint', () => {
  let tokens: FaultServer;
  let apiServer: LoopbackServer;
  let events: ClientCredentialsEvent[];

  beforeAll(async () => {
    tokens = await startFaultServer();
    apiServer = await startApiServer((t) => tokens.issued.includes(t));
  });
  afterAll(async () => {
    await tokens.close();
    await apiServer.close();
  });
  beforeEach(() => {
    tokens.requests.length = 0;
    apiServer.requests.length = 0;
    events = [];
  });
  afterEach(() => jest.restoreAllMocks());

  function setup(options: Partial<ClientCredentialsOptions> = {}, ...faults: Fault[]) {
    tokens.script(...faults);
    const api: AxiosInstance = axios.create({ baseURL: apiServer.origin });
    const handle = installClientCredentials(api, {
      tokenUrl: tokens.tokenUrl,
      clientId: 'svc',
      clientSecret: SECRET,
      store: new MemoryTokenStore(),
      onEvent: (event) => events.push(event),
      ...options,
    });
    return { api, handle };
  }

  const unavailable = (headers: Record<string, string> = {}): Fault => ({
    kind: 'reply',
    status: 503,
    body: '<html>down</html>',
    headers: { 'Content-Type': 'text/html', ...headers },
  });

  describe('retries', () => {
    it('honours a 503 Retry-After in seconds, then sends the API request once', async () => {
      const { api, handle } = setup({}, unavailable({ 'Retry-After': '1' }));
      expect((await api.get('/data')).status).toBe(200);
      expect(tokens.requests).toHaveLength(2);
      expect(apiServer.requests).toHaveLength(1);
      expect(events.filter((e) => e.type === 'exchange_retry')).toEqual([
        {
          type: 'exchange_retry',
          name: expect.stringMatching(/^svc@127\.0\.0\.1:\d+$/) as unknown,
          exchangeId: expect.any(Number) as unknown,
          background: false,
          error: { name: 'TokenRequestError', code: 'TOKEN_RESPONSE_HTTP_ERROR', status: 503 },
          retry: 1,
          delayMs: 1000,
        },
      ]);
      expect(handle.stats()).toMatchObject({ exchanges: 1, tokenRequests: 2, failures: 0, waits: 1 });
    });

    it('honours a Retry-After given as an HTTP date', async () => {
      const { api } = setup({}, unavailable({ 'Retry-After': new Date(Date.now() - 1000).toUTCString() }));
      expect((await api.get('/data')).status).toBe(200);
      expect(tokens.requests).toHaveLength(2);
      expect(events.find((e) => e.type === 'exchange_retry')).toMatchObject({ delayMs: 0 });
    });

    it('retries 429 answers with backoff', async () => {
      const tooMany: Fault = { kind: 'reply', status: 429, body: '' };
      const { api } = setup({}, tooMany, tooMany);
      expect((await api.get('/data')).status).toBe(200);
      expect(tokens.requests).toHaveLength(3);
      expect(apiServer.requests).toHaveLength(1);
    });

    it('retries a reset connection', async () => {
      const { api } = setup({}, { kind: 'reset' });
      expect((await api.get('/data')).status).toBe(200);
      expect(tokens.requests).toHaveLength(2);
      expect(apiServer.requests).toHaveLength(1);
    });

    it('gives up after two retries by default and never sends the API request', async () => {
      const { api, handle } = setup({}, unavailable(), unavailable(), unavailable(), unavailable());
      const error: unknown = await api.get('/data').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenRequestError);
      expect(error).toMatchObject({ code: 'TOKEN_RESPONSE_HTTP_ERROR', status: 503 });
      expect(tokens.requests).toHaveLength(3);
      expect(apiServer.requests).toHaveLength(0);
      expect(handle.stats()).toMatchObject({ exchanges: 1, tokenRequests: 3, failures: 1 });
    });

    it('does not retry when a Retry-After asks for longer than the cap', async () => {
      const { api } = setup({}, unavailable({ 'Retry-After': '120' }));
      const error: unknown = await api.get('/data').catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'TokenRequestError', status: 503, retryAfterMs: 120_000 });
      expect(tokens.requests).toHaveLength(1);
      expect(apiServer.requests).toHaveLength(0);
    });

    it('does not retry with "tokenRequestRetries: 0"', async () => {
      const { api } = setup({ tokenRequestRetries: 0 }, { kind: 'reset' });
      await expect(api.get('/data')).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNREACHABLE' });
      expect(tokens.requests).toHaveLength(1);
      expect(apiServer.requests).toHaveLength(0);
    });

    it('never retries an OAuth 2.0 error answer', async () => {
      const { api } = setup(
        {},
        { kind: 'reply', status: 503, body: '{"error":"temporarily_unavailable"}', headers: { 'Retry-After': '0' } },
      );
      await expect(api.get('/data')).rejects.toBeInstanceOf(OAuth2Error);
      expect(tokens.requests).toHaveLength(1);
      expect(apiServer.requests).toHaveLength(0);
    });

    it('signs a fresh client assertion (new jti) for every attempt', async () => {
      const { api } = setup({ clientAuthMethod: 'client_secret_jwt', clientSecret: 'x'.repeat(32) }, unavailable());
      await api.get('/data');
      const jtis = tokens.requests.map((r) => {
        const assertion = new URLSearchParams(r.body).get('client_assertion') ?? '';
        return (JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
      });
      expect(jtis).toHaveLength(2);
      expect(jtis[0]).not.toBe(jtis[1]);
    });
  });

  describe('timeouts', () => {
    it('fails a token endpoint that never answers with TokenRequestError, never hangs', async () => {
      const { api } = setup({ tokenRequestTimeoutMs: 200, tokenRequestRetries: 0 }, { kind: 'hang' });
      const error: unknown = await api.get('/data').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenRequestError);
      expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_TIMEOUT' });
      expect(tokens.requests).toHaveLength(1);
      expect(apiServer.requests).toHaveLength(0);
    });

    it('retries a timed-out token request', async () => {
      const { api } = setup({ tokenRequestTimeoutMs: 200 }, { kind: 'hang' });
      expect((await api.get('/data')).status).toBe(200);
      expect(tokens.requests).toHaveLength(2);
    });

    it('waits for a slow answer within the timeout', async () => {
      const { api } = setup({}, { kind: 'token', delayMs: 300 });
      expect((await api.get('/data')).status).toBe(200);
      expect(tokens.requests).toHaveLength(1);
    });
  });

  describe('quota protection', () => {
    const rejected: Fault = { kind: 'reply', status: 401, body: '{"error":"invalid_client"}' };

    it('makes one token request for 30 calls with a wrong secret, each failing with the same OAuth2Error', async () => {
      const { api, handle } = setup({}, rejected, rejected, rejected);
      const errors: unknown[] = [];
      for (let i = 0; i < 30; i += 1) errors.push(await api.get('/data').catch((e: unknown) => e));
      expect(tokens.requests).toHaveLength(1);
      expect(apiServer.requests).toHaveLength(0);
      expect(new Set(errors).size).toBe(1);
      expect(errors[0]).toBeInstanceOf(OAuth2Error);
      expect(errors[0]).toMatchObject({ error: 'invalid_client', status: 401 });
      expect(handle.stats()).toMatchObject({ exchanges: 1, tokenRequests: 1, failures: 30 });
      expect(events.find((e) => e.type === 'exchange_failed')).toMatchObject({ cooldownMs: 10_000 });
    });

    it('asks again once the cooldown has passed', async () => {
      // The cooldown runs on the monotonic clock, which only the injected clock moves.
      const clock = new ManualClock(Date.now());
      const { api } = setup({ errorCooldownSeconds: 5, clock } as Partial<ClientCredentialsOptions>, {
        kind: 'reply',
        status: 400,
        body: '{"error":"invalid_scope"}',
      });
      await expect(api.get('/data')).rejects.toMatchObject({ error: 'invalid_scope' });
      await expect(api.get('/data')).rejects.toMatchObject({ error: 'invalid_scope' });
      expect(tokens.requests).toHaveLength(1);
      clock.advance(4_999);
      await expect(api.get('/data')).rejects.toMatchObject({ error: 'invalid_scope' });
      expect(tokens.requests).toHaveLength(1);
      clock.advance(1);
      expect((await api.get('/data')).status).toBe(200);
      expect(tokens.requests).toHaveLength(2);
    });

    it('asks every time with "errorCooldownSeconds: 0"', async () => {
      const { api } = setup({ errorCooldownSeconds: 0 }, rejected, rejected);
      await expect(api.get('/data')).rejects.toBeInstanceOf(OAuth2Error);
      await expect(api.get('/data')).rejects.toBeInstanceOf(OAuth2Error);
      expect(tokens.requests).toHaveLength(2);
    });
  });

  describe('strict parsing', () => {
    const bad: Array<[string, Fault, string, string]> = [
      [
        'a body over 1 MiB',
        { kind: 'reply', status: 200, body: `{"access_token":"${'a'.repeat(1024 * 1024)}"}` },
        'TokenRequestError',
        'TOKEN_RESPONSE_INVALID',
      ],
      [
        'an HTML page',
        { kind: 'reply', status: 200, body: '<html>login</html>' },
        'TokenRequestError',
        'TOKEN_RESPONSE_INVALID',
      ],
      ['an empty object', { kind: 'reply', status: 200, body: '{}' }, 'TokenRequestError', 'TOKEN_RESPONSE_INVALID'],
      [
        'a non-string access_token',
        { kind: 'reply', status: 200, body: '{"access_token":42,"token_type":"Bearer"}' },
        'TokenRequestError',
        'TOKEN_RESPONSE_INVALID',
      ],
      [
        'an unknown token_type',
        { kind: 'reply', status: 200, body: '{"access_token":"x","token_type":"mac"}' },
        'TokenRequestError',
        'TOKEN_RESPONSE_INVALID',
      ],
      [
        'a 200 carrying an error',
        { kind: 'reply', status: 200, body: '{"error":"server_error"}' },
        'OAuth2Error',
        'OAUTH2_ERROR_RESPONSE',
      ],
      [
        'truncated JSON',
        { kind: 'reply', status: 200, body: '{"access_token":"x","token_type":"Bea' },
        'TokenRequestError',
        'TOKEN_RESPONSE_INVALID',
      ],
    ];

    it.each(bad)('refuses %s, caches nothing and sends no API request', async (_name, fault, name, code) => {
      const { api } = setup({}, fault);
      const error: unknown = await api.get('/data').catch((e: unknown) => e);
      expect(error).toMatchObject({ name, code });
      expect(tokens.requests).toHaveLength(1);
      expect(apiServer.requests).toHaveLength(0);
      // Nothing was cached: the next call asks again and gets a real token.
      expect((await api.get('/data')).status).toBe(200);
      expect(tokens.requests).toHaveLength(2);
      expect(apiServer.requests).toHaveLength(1);
    });
  });
});
