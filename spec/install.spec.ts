import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { installClientCredentials, MemoryTokenStore, OAuth2Error, type ClientCredentialsOptions } from '../lib';
import { systemClock } from '../lib/clock';

const TOKEN_URL = 'https://auth.example.com/oauth/token';
const API = 'https://api.example.com';
const SECRET = 'the-client-secret';
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A token endpoint on axios-mock-adapter that issues t1, t2, ... and counts exchanges. */
function tokenEndpoint(options: { delayMs?: number; until?: Promise<void> } = {}) {
  const tokenClient = axios.create();
  const mock = new MockAdapter(tokenClient);
  const issued: string[] = [];
  mock.onPost(TOKEN_URL).reply(async (config) => {
    if (options.delayMs) await delay(options.delayMs);
    await options.until;
    const token = `t${issued.length + 1}`;
    issued.push(token);
    const scope = new URLSearchParams(config.data as string).get('scope') ?? undefined;
    return [200, JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope })];
  });
  return { tokenClient, mock, issued };
}

/** An API on axios-mock-adapter that accepts the tokens `valid()` names, else answers 401. */
function api(
  valid: (token: string) => boolean = () => true,
  routes?: (mock: MockAdapter, seen: Array<string | undefined>) => void,
) {
  const instance = axios.create({ baseURL: API });
  const mock = new MockAdapter(instance);
  const seen: Array<string | undefined> = [];
  routes?.(mock, seen); // before the catch-all: the adapter answers with the first matching handler
  mock.onAny().reply((config) => {
    const header = config.headers?.['Authorization'] as string | undefined;
    seen.push(header);
    const token = header?.replace(/^Bearer /, '');
    return token !== undefined && valid(token)
      ? [200, { auth: header ?? null }]
      : [401, {}, { 'www-authenticate': 'Bearer error="invalid_token"' }];
  });
  return { instance, mock, seen };
}

let clientCounter = 0;
function install(instance: AxiosInstance, tokenClient: AxiosInstance, extra: Partial<ClientCredentialsOptions> = {}) {
  return installClientCredentials(instance, {
    tokenUrl: TOKEN_URL,
    clientId: `client-${++clientCounter}`,
    clientSecret: SECRET,
    tokenClient,
    store: new MemoryTokenStore(),
    ...extra,
  });
}

describe('installClientCredentials()', () => {
  it('makes one token request for 1,000 concurrent calls and sends the token on each', async () => {
    const endpoint = tokenEndpoint({ delayMs: 20 });
    const { instance, seen } = api();
    install(instance, endpoint.tokenClient);
    const responses = await Promise.all(Array.from({ length: 1000 }, () => instance.get('/invoices')));
    expect(endpoint.issued).toEqual(['t1']);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(new Set(seen)).toEqual(new Set(['Bearer t1']));
  });

  it('shares one token between two instances with equal settings through the default store', async () => {
    const endpoint = tokenEndpoint({ delayMs: 10 });
    const a = api();
    const b = api();
    const settings = {
      tokenUrl: TOKEN_URL,
      clientId: 'shared-client',
      clientSecret: SECRET,
      tokenClient: endpoint.tokenClient,
    };
    installClientCredentials(a.instance, settings);
    installClientCredentials(b.instance, { ...settings, scope: [] });
    await Promise.all([a.instance.get('/x'), b.instance.get('/x'), a.instance.get('/y')]);
    expect(endpoint.issued).toEqual(['t1']);
    expect([...a.seen, ...b.seen]).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t1']);
  });

  it('gives different scopes different tokens', async () => {
    const endpoint = tokenEndpoint();
    const store = new MemoryTokenStore();
    const reader = api();
    const writer = api();
    const base = {
      tokenUrl: TOKEN_URL,
      clientId: 'scoped',
      clientSecret: SECRET,
      tokenClient: endpoint.tokenClient,
      store,
    };
    const readAuth = installClientCredentials(reader.instance, { ...base, scope: 'invoices:read' });
    const writeAuth = installClientCredentials(writer.instance, { ...base, scope: ['invoices:write'] });
    await Promise.all([reader.instance.get('/x'), writer.instance.get('/x')]);
    expect(endpoint.issued).toHaveLength(2);
    expect((await readAuth.getToken()).scope).toBe('invoices:read');
    expect((await writeAuth.getToken()).scope).toBe('invoices:write');
  });

  it('sends no token and makes no exchange for { skipAuth: true }', async () => {
    const endpoint = tokenEndpoint();
    const { instance, seen } = api();
    install(instance, endpoint.tokenClient);
    await instance.get('/public', { skipAuth: true }).catch(() => undefined);
    expect(seen).toEqual([undefined]);
    expect(endpoint.issued).toEqual([]);
  });

  it('sends no token to an absolute URL on another origin, and one to a listed origin', async () => {
    const endpoint = tokenEndpoint();
    const { instance, seen } = api(() => true);
    install(instance, endpoint.tokenClient, { origins: ['https://files.example.com'] });
    await instance.get('https://bucket.s3.example.net/file?signature=x').catch(() => undefined);
    await instance.get('https://files.example.com/a');
    expect(seen).toEqual([undefined, 'Bearer t1']);
  });

  it('removes both interceptors on eject()', async () => {
    const endpoint = tokenEndpoint();
    let accept = true;
    const { instance, seen } = api(() => accept);
    const handle = install(instance, endpoint.tokenClient);
    await instance.get('/x');
    handle.eject();
    handle.eject();
    accept = false;
    await expect(instance.get('/y')).rejects.toMatchObject({ response: { status: 401 } });
    expect(seen).toEqual(['Bearer t1', undefined]);
    expect(endpoint.issued).toEqual(['t1']);
  });

  it.each(['now', 'monotonic', 'sleep', 'after'])('refuses a clock without %s', (missing) => {
    const { tokenClient } = tokenEndpoint();
    const clock: Record<string, unknown> = { ...systemClock };
    delete clock[missing];
    expect(() => install(api().instance, tokenClient, { clock } as Partial<ClientCredentialsOptions>)).toThrow(
      new TypeError('"clock" option must be a clock'),
    );
  });

  it('refuses a second installation on the same instance until the first is ejected', () => {
    const { tokenClient } = tokenEndpoint();
    const { instance } = api();
    const first = install(instance, tokenClient);
    expect(() => install(instance, tokenClient)).toThrow(
      new TypeError(
        'this axios instance already has installClientCredentials(); call eject() on the earlier handle first',
      ),
    );
    first.eject();
    expect(() => install(instance, tokenClient)).not.toThrow();
  });

  it('drops a rejected token and replays the request once with a new one', async () => {
    const endpoint = tokenEndpoint();
    const valid = 't2';
    const { instance, seen } = api((t) => t === valid);
    const handle = install(instance, endpoint.tokenClient);
    await handle.getToken(); // caches t1, which the API no longer accepts
    const response = await instance.get('/x');
    expect(response.status).toBe(200);
    expect(seen).toEqual(['Bearer t1', 'Bearer t2']);
    expect(endpoint.issued).toEqual(['t1', 't2']);
    expect(handle.stats().replays).toBe(1);
    // Dropped: the handle now answers the new token, and no request carries t1 again.
    expect((await handle.getToken()).accessToken).toBe('t2');
    await instance.get('/y');
    expect(seen).toEqual(['Bearer t1', 'Bearer t2', 'Bearer t2']);
  });

  it('renews once for a storm of concurrent 401s', async () => {
    const endpoint = tokenEndpoint({ delayMs: 10 });
    const { instance } = api((t) => t !== 't1');
    const handle = install(instance, endpoint.tokenClient);
    await handle.getToken();
    const responses = await Promise.all(Array.from({ length: 300 }, () => instance.get('/x')));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(endpoint.issued).toEqual(['t1', 't2']);
  });

  it('replays at most once per call when the API always answers 401', async () => {
    const endpoint = tokenEndpoint();
    const { instance, seen } = api(() => false);
    install(instance, endpoint.tokenClient);
    const errors = await Promise.all(Array.from({ length: 10 }, () => instance.get('/x').catch((e: unknown) => e)));
    expect(errors.every((e) => e instanceof AxiosError && e.response?.status === 401)).toBe(true);
    expect(seen).toHaveLength(20);
  });

  it('does not evict a newer token when a late 401 arrives for an older one', async () => {
    const endpoint = tokenEndpoint();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { instance, seen } = api(undefined, (mock, seen) =>
      mock.onGet('/slow').replyOnce(async (config) => {
        seen.push(config.headers?.['Authorization'] as string);
        await gate;
        return [401, {}, { 'www-authenticate': 'Bearer error="invalid_token"' }];
      }),
    );
    const handle = install(instance, endpoint.tokenClient);
    await handle.getToken();
    const slow = instance.get('/slow');
    await delay(5);
    await handle.invalidate();
    await instance.get('/x'); // fetches t2 while /slow still waits with t1
    release();
    await slow;
    expect(endpoint.issued).toEqual(['t1', 't2']);
    expect(seen).toEqual(['Bearer t1', 'Bearer t2', 'Bearer t2']);
  });

  it.each([
    ['a 403 insufficient_scope', 403, 'Bearer error="insufficient_scope"'],
    ['a 401 insufficient_scope', 401, 'Bearer error="insufficient_scope", scope="admin"'],
    ['a 401 invalid_request', 401, 'Bearer error="invalid_request"'],
  ])('does not retry %s', async (_name, status, challenge) => {
    const endpoint = tokenEndpoint();
    const { instance, mock } = api(undefined, (mock) =>
      mock.onGet('/admin').reply(status, {}, { 'www-authenticate': challenge }),
    );
    install(instance, endpoint.tokenClient);
    await expect(instance.get('/admin')).rejects.toMatchObject({ response: { status } });
    expect(mock.history['get']).toHaveLength(1);
    expect(endpoint.issued).toEqual(['t1']);
  });

  it('does not replay a request whose body is a stream', async () => {
    const endpoint = tokenEndpoint();
    const { instance, mock } = api(() => false);
    install(instance, endpoint.tokenClient);
    await expect(instance.post('/upload', Readable.from(['chunk']))).rejects.toMatchObject({
      response: { status: 401 },
    });
    expect(mock.history['post']).toHaveLength(1);
  });

  it('does not replay when retryOnUnauthorized is false', async () => {
    const endpoint = tokenEndpoint();
    const { instance, seen } = api(() => false);
    install(instance, endpoint.tokenClient, { retryOnUnauthorized: false });
    await expect(instance.get('/x')).rejects.toMatchObject({ response: { status: 401 } });
    expect(seen).toHaveLength(1);
  });

  it('does not send the API request when the token request fails, and rejects with the typed error', async () => {
    const endpoint = tokenEndpoint();
    endpoint.mock.reset();
    endpoint.mock.onPost(TOKEN_URL).reply(401, JSON.stringify({ error: 'invalid_client' }));
    const { instance, seen } = api();
    install(instance, endpoint.tokenClient);
    const errors = await Promise.all(Array.from({ length: 5 }, () => instance.get('/x').catch((e: unknown) => e)));
    expect(errors.every((e) => e instanceof OAuth2Error && e.error === 'invalid_client')).toBe(true);
    expect(new Set(errors).size).toBe(1);
    expect(seen).toEqual([]);
    expect(endpoint.mock.history['post']).toHaveLength(1);
  });

  it('rejects at once with CanceledError when the signal aborts during the wait, and the exchange carries on', async () => {
    let answer = (): void => {};
    const endpoint = tokenEndpoint({ until: new Promise<void>((resolve) => (answer = resolve)) });
    const { instance, seen } = api();
    install(instance, endpoint.tokenClient);
    const controller = new AbortController();
    const aborted = instance.get('/a', { signal: controller.signal });
    const other = instance.get('/b');
    await delay(5);
    controller.abort();
    const error = await aborted.catch((e: unknown) => e);
    expect(axios.isCancel(error)).toBe(true);
    // Rejected while the token endpoint still holds its answer: the abort did not wait for it.
    expect({ issued: endpoint.issued, posts: endpoint.mock.history['post']?.length }).toEqual({ issued: [], posts: 1 });
    answer();
    await expect(other).resolves.toMatchObject({ status: 200 });
    expect(seen).toEqual(['Bearer t1']);
    expect(endpoint.issued).toEqual(['t1']);
  });

  it('rejects a request whose signal is already aborted', async () => {
    const endpoint = tokenEndpoint({ delayMs: 10 });
    const { instance, seen } = api();
    install(instance, endpoint.tokenClient);
    await expect(instance.get('/a', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    expect(seen).toEqual([]);
  });

  it('exposes getToken() and invalidate() on the handle', async () => {
    const endpoint = tokenEndpoint();
    const { instance } = api();
    const handle = install(instance, endpoint.tokenClient, { scope: 'a' });
    const token = await handle.getToken();
    expect(token).toMatchObject({ accessToken: 't1', tokenType: 'Bearer', scope: 'a' });
    expect(token.expiresAt - Date.now()).toBeGreaterThan(3_590_000);
    await handle.invalidate();
    expect((await handle.getToken()).accessToken).toBe('t2');
  });

  it('keeps the secret and tokens out of the handle and the request state', async () => {
    const endpoint = tokenEndpoint();
    const { instance } = api(() => false);
    const handle = install(instance, endpoint.tokenClient);
    const error = (await instance.get('/x').catch((e: unknown) => e)) as AxiosError;
    const state = (error.config as unknown as Record<string, unknown>)['axios-client-credentials'];
    expect(state).toBeDefined();
    // The handle keeps everything in private fields: no property holds anything to leak.
    expect(Reflect.ownKeys(handle)).toEqual([]);
    expect(JSON.stringify(handle)).toBe('{}');
    for (const view of [
      inspect(handle, { showHidden: true, depth: 5 }),
      inspect(handle.stats(), { depth: 5 }),
      JSON.stringify(handle.stats()),
      inspect(state, { showHidden: true, depth: 5 }),
      JSON.stringify(state),
    ]) {
      expect(view).not.toContain(SECRET);
      expect(view).not.toMatch(/\bt[12]\b/);
    }
  });
});
