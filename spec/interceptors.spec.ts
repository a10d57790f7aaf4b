import { Readable } from 'node:stream';
import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosAdapter,
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { installClientCredentials, MemoryTokenStore } from '../lib';
import { AuthState, STATE_KEY } from '../lib/auth-state';
import {
  createResponseObserver,
  createUnauthorizedHandler,
  type UnauthorizedHandlerOptions,
} from '../lib/interceptors';
import type { TokenManager } from '../lib/token-manager';
import { bearerScheme, type TokenScheme } from '../lib/token-scheme';
import type { AccessToken } from '../lib/types';

const TOKEN_URL = 'https://auth.example.com/oauth/token';
const API = 'https://api.example.com';

/**
 * An API instance whose adapter records, synchronously, the Authorization header of each request,
 * and answers 401 to the tokens `rejected` names. The token endpoint issues t1, t2, ...
 */
function setup(rejected: (token: string) => boolean = () => false): {
  instance: AxiosInstance;
  sent: Array<string | undefined>;
  exchanges: () => number;
} {
  const tokenClient = axios.create();
  const tokenMock = new MockAdapter(tokenClient);
  let issued = 0;
  tokenMock
    .onPost(TOKEN_URL)
    .reply(() => [200, JSON.stringify({ access_token: `t${++issued}`, token_type: 'Bearer', expires_in: 3600 })]);
  const sent: Array<string | undefined> = [];
  const adapter: AxiosAdapter = (config) => {
    const authorization = config.headers.get('Authorization') as string | undefined;
    sent.push(authorization);
    const response = { data: 'ok', status: 200, statusText: 'OK', headers: {}, config, request: {} };
    if (authorization !== undefined && rejected(authorization.slice('Bearer '.length))) {
      const unauthorized = { ...response, status: 401, data: '' };
      return Promise.reject(new AxiosError('401', 'ERR_BAD_REQUEST', config, {}, unauthorized));
    }
    return Promise.resolve(response);
  };
  const instance = axios.create({ baseURL: API, adapter });
  installClientCredentials(instance, {
    tokenUrl: TOKEN_URL,
    clientId: 'c',
    clientSecret: 's',
    tokenClient,
    store: new MemoryTokenStore(),
  });
  return { instance, sent, exchanges: () => tokenMock.history['post']!.length };
}

describe('the request interceptor', () => {
  it('waits for the first token on its way, one exchange for a burst', async () => {
    const { instance, sent, exchanges } = setup();
    await Promise.all([instance.get('/a'), instance.get('/b'), instance.get('/c')]);
    expect(sent).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t1']);
    expect(exchanges()).toBe(1);
  });

  it('leaves a skipAuth request alone once a token is cached', async () => {
    const { instance, sent } = setup();
    await instance.get('/warm');
    await instance.get('/public', { skipAuth: true });
    expect(sent).toEqual(['Bearer t1', undefined]);
  });

  it.each([
    ['synchronous', true],
    ['asynchronous', false],
  ])('sees what another request interceptor changes, however it is registered (%s)', async (_, synchronous) => {
    const { instance, sent } = setup();
    await instance.get('/warm');
    // Registered after ours, so axios runs it first: ours sees what it changed.
    instance.interceptors.request.use(
      (config) => {
        if (config.url === '/public') config.skipAuth = true;
        if (config.url === '/elsewhere') config.url = 'https://other.example.com/x';
        return config;
      },
      undefined,
      { synchronous },
    );
    await instance.get('/public');
    await instance.get('/elsewhere');
    await instance.get('/data');
    expect(sent).toEqual(['Bearer t1', undefined, undefined, 'Bearer t1']);
  });

  it('replays each of two requests that carried the same rejected token, once each', async () => {
    const rejected = new Set(['t1']);
    const { instance, sent, exchanges } = setup((token) => rejected.has(token));
    await instance.get('/warm');
    expect(sent).toEqual(['Bearer t1', 'Bearer t2']);
    // Both carry the cached t2, and both are told it was rejected.
    rejected.add('t2');
    await expect(Promise.all([instance.get('/a'), instance.get('/b')])).resolves.toHaveLength(2);
    expect(sent.slice(2)).toEqual(['Bearer t2', 'Bearer t2', 'Bearer t3', 'Bearer t3']);
    expect(exchanges()).toBe(3);
  });
});

const bearerToken: AccessToken = Object.freeze({
  accessToken: 'tok-1',
  tokenType: 'Bearer',
  issuedAt: 0,
  expiresAt: 1e15,
});

/**
 * The response error handler on its own: an instance whose `request` records the configs it is
 * asked to send again and answers `replayAnswer`, and a manager that records what it invalidates.
 */
function handlerSetup(options: UnauthorizedHandlerOptions = {}, replayFails?: (config: AxiosRequestConfig) => unknown) {
  const invalidated: Array<string | undefined> = [];
  const manager = {
    invalidate: (accessToken?: string) => {
      invalidated.push(accessToken);
      return Promise.resolve();
    },
  } as unknown as TokenManager;
  const replays: AxiosRequestConfig[] = [];
  const replayAnswer = { status: 200, data: 'replayed' } as AxiosResponse;
  const instance = {
    request: (config: AxiosRequestConfig) => {
      replays.push(config);
      return replayFails === undefined ? Promise.resolve(replayAnswer) : Promise.reject(replayFails(config));
    },
  } as unknown as AxiosInstance;
  let onReplays = 0;
  const handler = createUnauthorizedHandler(instance, { onReplay: () => (onReplays += 1), ...options });
  const state = (token: AccessToken = bearerToken) => new AuthState(token, manager);
  return { handler, instance, manager, invalidated, replays, replayAnswer, onReplays: () => onReplays, state };
}

interface Rejection {
  status?: number;
  /** The answer's headers, such as `www-authenticate`. */
  headers?: Record<string, string>;
  data?: unknown;
  /** What the request carried under STATE_KEY; none when undefined. */
  state?: unknown;
  requestHeaders?: Record<string, string>;
}

/** An API request's AxiosError as axios raises it: its config, the sent request and the answer. */
function rejection({ status = 401, headers = {}, data, state, requestHeaders = {} }: Rejection = {}): AxiosError {
  const config = {
    url: '/things',
    method: 'post',
    data,
    headers: new AxiosHeaders({ Authorization: 'Bearer tok-1', 'X-Trace': 'abc', ...requestHeaders }),
  } as InternalAxiosRequestConfig & Record<string, unknown>;
  if (state !== undefined) config[STATE_KEY] = state;
  const request = { _header: 'POST /things HTTP/1.1\r\nAuthorization: Bearer tok-1\r\nX-Proof: proof-1\r\n\r\n' };
  const response = { status, statusText: '', headers, config, data: '' } as AxiosResponse;
  return new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_REQUEST', config, request, response);
}

/** The header block the error's sent request wrote (Node's `ClientRequest._header`). */
const sentHead = (error: AxiosError): string => (error.request as { _header: string })._header;

const stateOf = (config: AxiosRequestConfig | undefined): AuthState =>
  (config as Record<string, unknown> | undefined)?.[STATE_KEY] as AuthState;

describe('createUnauthorizedHandler()', () => {
  it('with no options drops the rejected token, replays the request once and redacts a failure', async () => {
    const invalidated: Array<string | undefined> = [];
    const manager = {
      invalidate: (accessToken?: string) => Promise.resolve(void invalidated.push(accessToken)),
    } as unknown as TokenManager;
    const failure = rejection({ status: 401, state: new AuthState(bearerToken, manager, true) });
    const replays: AxiosRequestConfig[] = [];
    const instance = {
      request: (config: AxiosRequestConfig) => Promise.resolve(void replays.push(config)),
    } as unknown as AxiosInstance;
    const handler = createUnauthorizedHandler(instance);
    await handler(rejection({ status: 401, state: new AuthState(bearerToken, manager) }));
    expect(invalidated).toEqual(['tok-1']);
    expect(replays).toHaveLength(1);
    // The replay's own 401 is passed on, without the token.
    await expect(handler(failure)).rejects.toBe(failure);
    expect(replays).toHaveLength(1);
    expect(failure.config?.headers.get('Authorization')).toBeUndefined();
    expect(sentHead(failure)).toBe(
      'POST /things HTTP/1.1\r\nAuthorization: Bearer [redacted]\r\nX-Proof: proof-1\r\n\r\n',
    );
  });

  it('replays a 401 once with the same config, plain headers and a state marked replayed', async () => {
    const h = handlerSetup();
    const sent = h.state();
    const error = rejection({ status: 401, state: sent, data: { name: 'widget', count: 2 } });
    await expect(h.handler(error)).resolves.toBe(h.replayAnswer);
    expect(h.invalidated).toEqual(['tok-1']);
    expect(h.onReplays()).toBe(1);
    expect(h.replays).toHaveLength(1);
    const again = h.replays[0]!;
    expect(again).toMatchObject({ url: '/things', method: 'post', data: { name: 'widget', count: 2 } });
    expect(again.headers).not.toBeInstanceOf(AxiosHeaders);
    expect(again.headers).toEqual({ Authorization: 'Bearer tok-1', 'X-Trace': 'abc' });
    const state = stateOf(again);
    expect(state).toBeInstanceOf(AuthState);
    expect(state).not.toBe(sent);
    expect(state.token).toBe(bearerToken);
    expect(state.manager).toBe(h.manager);
    expect([state.replayed, state.retriedSameToken]).toEqual([true, false]);
  });

  it('does not replay a request that was already replayed', async () => {
    const h = handlerSetup();
    const error = rejection({ status: 401, state: h.state().sentAgain('replayed') });
    await expect(h.handler(error)).rejects.toBe(error);
    expect([h.replays.length, h.invalidated.length, h.onReplays()]).toEqual([0, 0, 0]);
  });

  it.each([
    ['a network error (no answer)', (e: AxiosError) => Object.assign(e, { response: undefined })],
    ['an error without a config', (e: AxiosError) => Object.assign(e, { config: undefined })],
  ])('passes on %s as it is', async (_, strip) => {
    const h = handlerSetup();
    const error = strip(rejection({ status: 401, state: h.state() }));
    await expect(h.handler(error)).rejects.toBe(error);
    expect([h.replays.length, h.invalidated.length]).toEqual([0, 0]);
  });

  it.each([undefined, null, 'not an error'])('passes on a rejection with %p', async (reason) => {
    const h = handlerSetup();
    await expect(h.handler(reason)).rejects.toBe(reason);
    expect(h.replays).toHaveLength(0);
  });

  it.each([500, 403, 400])('leaves the token alone and does not replay a %i', async (status) => {
    const h = handlerSetup();
    const error = rejection({ status, state: h.state() });
    await expect(h.handler(error)).rejects.toBe(error);
    expect([h.replays.length, h.invalidated.length, h.onReplays()]).toEqual([0, 0, 0]);
    // Still redacted: the request carried our token.
    expect(error.config?.headers.get('Authorization')).toBeUndefined();
  });

  it('renews on a status of renewOnStatus, and then not on a 401 it does not list', async () => {
    const h = handlerSetup({ renewOnStatus: [403] });
    await expect(h.handler(rejection({ status: 403, state: h.state() }))).resolves.toBe(h.replayAnswer);
    expect(h.invalidated).toEqual(['tok-1']);
    const unauthorized = rejection({ status: 401, state: h.state() });
    await expect(h.handler(unauthorized)).rejects.toBe(unauthorized);
    expect([h.replays.length, h.invalidated.length, h.onReplays()]).toEqual([1, 1, 1]);
  });

  it('neither drops the token nor replays with renew: false', async () => {
    const h = handlerSetup({ renew: false });
    const error = rejection({ status: 401, state: h.state() });
    await expect(h.handler(error)).rejects.toBe(error);
    expect([h.replays.length, h.invalidated.length, h.onReplays()]).toEqual([0, 0, 0]);
  });

  it.each([
    ['no state', undefined],
    ['a state that is not ours', { token: bearerToken, replayed: false }],
  ])('passes on a 401 to a request with %s, untouched', async (_, state) => {
    const h = handlerSetup();
    const error = rejection({ status: 401, state });
    await expect(h.handler(error)).rejects.toBe(error);
    expect([h.replays.length, h.invalidated.length]).toEqual([0, 0]);
    expect(error.config?.headers.get('Authorization')).toBe('Bearer tok-1');
    expect(sentHead(error)).toContain('Bearer tok-1');
  });

  it.each([
    ['a Node stream', () => Readable.from(['a'])],
    ['an object with a pipe() method', () => ({ pipe: () => undefined })],
    ['a web ReadableStream', () => new ReadableStream()],
  ])('does not replay a request whose body was %s', async (_, body) => {
    const h = handlerSetup();
    const error = rejection({ status: 401, state: h.state(), data: body() });
    await expect(h.handler(error)).rejects.toBe(error);
    expect([h.replays.length, h.invalidated.length]).toEqual([0, 0]);
  });

  it.each([
    ['no body', undefined],
    ['a null body', null],
    ['a string body', 'a=1'],
    ['a Buffer body', Buffer.from('a=1')],
    ['an object body', { a: 1 }],
    ['an object whose pipe is not a function', { pipe: 'yes' }],
  ])('replays a request with %s, the body as it was', async (_, body) => {
    const h = handlerSetup();
    await expect(h.handler(rejection({ status: 401, state: h.state(), data: body }))).resolves.toBe(h.replayAnswer);
    expect(h.replays).toHaveLength(1);
    expect(h.replays[0]!.data).toBe(body);
  });

  it('renews when ReadableStream is not defined', async () => {
    const h = handlerSetup();
    const original = globalThis.ReadableStream;
    try {
      // @ts-expect-error: Node 20 always has it; older runtimes did not.
      delete globalThis.ReadableStream;
      await expect(h.handler(rejection({ status: 401, state: h.state(), data: { a: 1 } }))).resolves.toBe(
        h.replayAnswer,
      );
    } finally {
      globalThis.ReadableStream = original;
    }
    expect(h.replays).toHaveLength(1);
  });

  it.each([
    ['Bearer error="invalid_token"', 1],
    ['Bearer realm="api"', 1],
    ['Basic realm="api", Bearer error="invalid_token"', 1],
    ['Bearer error="insufficient_scope"', 0],
    ['Bearer error="invalid_request"', 0],
  ])('on a 401 with www-authenticate %s, replays %i time(s)', async (challenge, times) => {
    const h = handlerSetup();
    const error = rejection({ status: 401, state: h.state(), headers: { 'www-authenticate': challenge } });
    const outcome = h.handler(error);
    if (times === 1) await expect(outcome).resolves.toBe(h.replayAnswer);
    else await expect(outcome).rejects.toBe(error);
    expect([h.replays.length, h.invalidated.length, h.onReplays()]).toEqual([times, times, times]);
  });

  it("reads the challenge of the token's own type, in any case", async () => {
    const dpopToken: AccessToken = { ...bearerToken, tokenType: 'DPoP' };
    const h = handlerSetup();
    const scoped = rejection({
      status: 401,
      state: h.state(dpopToken),
      headers: { 'www-authenticate': 'Bearer error="invalid_token", DPoP error="insufficient_scope"' },
    });
    await expect(h.handler(scoped)).rejects.toBe(scoped);
    const rejected = rejection({
      status: 401,
      state: h.state(dpopToken),
      headers: { 'www-authenticate': 'Bearer error="insufficient_scope", DPoP error="invalid_token"' },
    });
    await expect(h.handler(rejected)).resolves.toBe(h.replayAnswer);
    expect(h.invalidated).toEqual(['tok-1']);
  });

  it('sends a 401 once more with the same token when the scheme asks, before renewing', async () => {
    const asked: Array<[number, AccessToken]> = [];
    const scheme: TokenScheme = {
      ...bearerScheme(),
      retryWithSameToken: (response, token) => {
        asked.push([response.status, token]);
        return true;
      },
    };
    const h = handlerSetup({ scheme });
    const first = h.state();
    await expect(h.handler(rejection({ status: 401, state: first }))).resolves.toBe(h.replayAnswer);
    expect(asked).toEqual([[401, bearerToken]]);
    expect(h.invalidated).toEqual([]);
    expect(h.onReplays()).toBe(0);
    const retried = stateOf(h.replays[0]);
    expect([retried.replayed, retried.retriedSameToken, retried.token]).toEqual([false, true, bearerToken]);
    expect(h.replays[0]!.headers).toEqual({ Authorization: 'Bearer tok-1', 'X-Trace': 'abc' });
    // Its own 401 is not sent with the same token again, but renewed.
    await expect(h.handler(rejection({ status: 401, state: retried }))).resolves.toBe(h.replayAnswer);
    expect(asked).toHaveLength(1);
    expect(h.invalidated).toEqual(['tok-1']);
    expect([stateOf(h.replays[1]).replayed, stateOf(h.replays[1]).retriedSameToken]).toEqual([true, true]);
    // A renewable 403 is never sent again with the same token.
    const hh = handlerSetup({ scheme, renewOnStatus: [401, 403] });
    await hh.handler(rejection({ status: 403, state: hh.state() }));
    expect(asked).toHaveLength(1);
    expect(stateOf(hh.replays[0]).retriedSameToken).toBe(false);
    expect(hh.invalidated).toEqual(['tok-1']);
  });

  it('sends a 401 once more with the same token even with renew: false', async () => {
    const scheme: TokenScheme = { ...bearerScheme(), retryWithSameToken: () => true };
    const h = handlerSetup({ scheme, renew: false });
    await expect(h.handler(rejection({ status: 401, state: h.state() }))).resolves.toBe(h.replayAnswer);
    expect(stateOf(h.replays[0]).retriedSameToken).toBe(true);
    expect(h.invalidated).toEqual([]);
  });

  it('sends a 401 once more with the same token even when renewOnStatus does not list 401', async () => {
    const scheme: TokenScheme = { ...bearerScheme(), retryWithSameToken: () => true };
    const h = handlerSetup({ scheme, renewOnStatus: [403] });
    await expect(h.handler(rejection({ status: 401, state: h.state() }))).resolves.toBe(h.replayAnswer);
    expect(stateOf(h.replays[0]).retriedSameToken).toBe(true);
    expect(h.invalidated).toEqual([]);
  });

  it('renews on a 401 whose answer has no headers at all', async () => {
    const h = handlerSetup();
    const error = rejection({ status: 401, state: h.state() });
    delete (error.response as Partial<AxiosResponse>).headers;
    await expect(h.handler(error)).resolves.toBe(h.replayAnswer);
    expect(h.invalidated).toEqual(['tok-1']);
  });

  it('lets the scheme observe every failed answer, and none without an answer', async () => {
    const observed: number[] = [];
    const scheme: TokenScheme = { ...bearerScheme(), observe: (response) => void observed.push(response.status) };
    const h = handlerSetup({ scheme });
    await h.handler(rejection({ status: 500, state: h.state() })).catch(() => undefined);
    await h.handler(rejection({ status: 401, state: h.state() }));
    await h.handler(Object.assign(rejection({ status: 401 }), { response: undefined })).catch(() => undefined);
    expect(observed).toEqual([500, 401]);
  });

  it("redacts the token and the scheme's credential headers from the error passed on", async () => {
    const scheme: TokenScheme = { ...bearerScheme(), credentialHeaders: ['X-Proof', 'X-Absent'] };
    const h = handlerSetup({ scheme });
    const error = rejection({ status: 500, state: h.state(), requestHeaders: { 'X-Proof': 'proof-1' } });
    await expect(h.handler(error)).rejects.toBe(error);
    expect(error.config?.headers.toJSON()).toEqual({ 'X-Trace': 'abc' });
    expect(sentHead(error)).toBe(
      'POST /things HTTP/1.1\r\nAuthorization: Bearer [redacted]\r\nX-Proof: [redacted]\r\n\r\n',
    );
  });

  it('takes only string header values for secrets: a credential header set to false blanks no "false"', async () => {
    const scheme: TokenScheme = { ...bearerScheme(), credentialHeaders: ['X-Proof'] };
    const h = handlerSetup({ scheme });
    const error = rejection({ status: 500, state: h.state() });
    error.config!.headers.set('X-Proof', false);
    (error.request as { _header: string })._header =
      'POST /things HTTP/1.1\r\nAuthorization: Bearer tok-1\r\nX-Cache: false\r\n\r\n';
    await expect(h.handler(error)).rejects.toBe(error);
    expect(sentHead(error)).toBe('POST /things HTTP/1.1\r\nAuthorization: Bearer [redacted]\r\nX-Cache: false\r\n\r\n');
    expect(error.config?.headers.get('X-Proof')).toBe(false);
  });

  it('redacts the sent request of an error whose config has no headers', async () => {
    const scheme: TokenScheme = { ...bearerScheme(), credentialHeaders: ['X-Proof'] };
    const h = handlerSetup({ scheme });
    const error = rejection({ status: 500, state: h.state() });
    delete (error.config as Partial<InternalAxiosRequestConfig>).headers;
    await expect(h.handler(error)).rejects.toBe(error);
    expect(sentHead(error)).toBe(
      'POST /things HTTP/1.1\r\nAuthorization: Bearer [redacted]\r\nX-Proof: proof-1\r\n\r\n',
    );
  });

  it('redacts, and passes on as it is, an error whose configs hold plain-object headers', async () => {
    // A hand-made error (a custom adapter's, a test double's) may copy the config with its headers
    // as a plain object. Reading them must not throw a TypeError in place of the caller's error.
    const scheme: TokenScheme = { ...bearerScheme(), credentialHeaders: ['X-Proof'] };
    const h = handlerSetup({ scheme });
    const error = rejection({ status: 500, state: h.state() });
    const plain = (): Record<string, unknown> => ({
      authorization: 'Bearer tok-1',
      'X-Proof': 'proof-1',
      'X-Trace': 'abc',
    });
    (error.config as unknown as Record<string, unknown>).headers = plain();
    error.response!.config = { ...error.config!, headers: plain() } as unknown as InternalAxiosRequestConfig;
    await expect(h.handler(error)).rejects.toBe(error);
    expect(error.config?.headers).toEqual({ 'X-Trace': 'abc' });
    expect(error.response?.config.headers).toEqual({ 'X-Trace': 'abc' });
    expect(sentHead(error)).toBe(
      'POST /things HTTP/1.1\r\nAuthorization: Bearer [redacted]\r\nX-Proof: [redacted]\r\n\r\n',
    );
  });

  it('redacts the failure of the replay itself', async () => {
    const h = handlerSetup({}, (config) => {
      const failure = rejection({ status: 500 });
      failure.config!.headers.set('Authorization', 'Bearer tok-1');
      (failure.config as unknown as Record<string, unknown>)[STATE_KEY] = stateOf(config);
      return failure;
    });
    const outcome = h.handler(rejection({ status: 401, state: h.state() }));
    await expect(outcome).rejects.toMatchObject({ response: { status: 500 } });
    const failure = (await outcome.catch((e: unknown) => e)) as AxiosError;
    expect(failure.config?.headers.get('Authorization')).toBeUndefined();
    expect(sentHead(failure)).not.toContain('tok-1');
  });

  it('passes the error on unredacted with redact: false', async () => {
    const h = handlerSetup({ redact: false });
    const error = rejection({ status: 500, state: h.state() });
    await expect(h.handler(error)).rejects.toBe(error);
    expect(error.config?.headers.get('Authorization')).toBe('Bearer tok-1');
    expect(sentHead(error)).toContain('Bearer tok-1');
  });
});

describe('createResponseObserver()', () => {
  it('is undefined for a scheme that reads no answers', () => {
    expect(createResponseObserver(bearerScheme())).toBeUndefined();
  });

  it("hands every answer to the scheme's observe and passes it on", () => {
    const observed: AxiosResponse[] = [];
    const observer = createResponseObserver({ ...bearerScheme(), observe: (response) => void observed.push(response) });
    const response = { status: 200, data: 'ok' } as AxiosResponse;
    expect(observer?.(response)).toBe(response);
    expect(observed).toEqual([response]);
    expect(observed[0]).toBe(response);
  });
});
