import { inspect } from 'node:util';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import axiosRetry from 'axios-retry';
import { installClientCredentials, MemoryTokenStore, type ClientCredentialsOptions } from '../../lib';
import { json, startLoopbackServer, type LoopbackServer } from '../support/loopback';
import { dpop } from '../../lib/dpop-option';

/** Every way a caught error is commonly logged. */
function renderings(error: unknown): Record<string, string> {
  const axiosError = error as AxiosError;
  return {
    inspect: inspect(error, { depth: Infinity, showHidden: true }),
    json: JSON.stringify(error),
    toJSON: JSON.stringify(axiosError.toJSON()),
    configHeaders: inspect(axiosError.config?.headers, { depth: Infinity }),
    string: String(error),
  };
}

function expectNowhere(error: unknown, secrets: readonly string[]): void {
  expect(error).toBeInstanceOf(AxiosError);
  for (const [where, text] of Object.entries(renderings(error))) {
    for (const secret of secrets) expect({ where, found: text.includes(secret) }).toEqual({ where, found: false });
  }
}

describe('an API error the caller receives', () => {
  let tokens: LoopbackServer;
  let api: LoopbackServer;
  let issued: string[];
  let tokenType: 'Bearer' | 'DPoP';
  /** What the API does with each request: by default it answers 500. */
  let behaviour: (request: { url: string; headers: Record<string, unknown> }) => 'ok' | 500 | 401 | 'hang';

  beforeAll(async () => {
    tokens = await startLoopbackServer((_req, res) => {
      const token = `live-token-${issued.length + 1}-${Math.random().toString(36).slice(2)}`;
      issued.push(token);
      json(res, 200, { access_token: token, token_type: tokenType, expires_in: 3600 });
    });
    api = await startLoopbackServer((req, res) => {
      const outcome = behaviour(req);
      if (outcome === 'hang') return; // never answers; the client times out
      if (outcome === 401) return json(res, 401, { ok: false }, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      if (outcome === 500) return json(res, 500, { ok: false });
      return json(res, 200, { ok: true, authorization: req.headers.authorization });
    });
  });
  afterAll(async () => {
    await tokens.close();
    await api.close();
  });
  beforeEach(() => {
    issued = [];
    tokenType = 'Bearer';
    behaviour = () => 500;
    api.requests.length = 0;
  });

  function setup(options: Partial<ClientCredentialsOptions> = {}, instance?: AxiosInstance) {
    const client = instance ?? axios.create({ baseURL: api.origin, timeout: 300 });
    const handle = installClientCredentials(client, {
      tokenUrl: `${tokens.origin}/token`,
      clientId: 'redaction',
      clientSecret: 'redaction-secret',
      store: new MemoryTokenStore(),
      ...options,
    });
    return { client, handle };
  }

  const caught = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (error: unknown) => error,
    );

  it('shows the token nowhere after a 500', async () => {
    const { client } = setup();
    const error = await caught(client.get('/data'));
    expect((error as AxiosError).response?.status).toBe(500);
    expect(issued).toHaveLength(1);
    expectNowhere(error, [...issued, 'redaction-secret']);
  });

  it('shows the token nowhere after a timeout', async () => {
    behaviour = () => 'hang';
    const { client } = setup();
    const error = await caught(client.get('/slow'));
    expect((error as AxiosError).code).toBe('ECONNABORTED');
    expectNowhere(error, issued);
  });

  it('shows neither token anywhere after a 401 to the replay', async () => {
    behaviour = () => 401;
    const { client } = setup();
    const error = await caught(client.get('/data'));
    expect((error as AxiosError).response?.status).toBe(401);
    expect(issued).toHaveLength(2); // the first token and the renewed one, both rejected
    expect(api.requests).toHaveLength(2);
    expectNowhere(error, issued);
  });

  it('shows the token nowhere with retryOnUnauthorized off', async () => {
    const { client } = setup({ retryOnUnauthorized: false });
    const error = await caught(client.get('/data'));
    expectNowhere(error, issued);
  });

  it('shows neither the DPoP token nor its proof', async () => {
    tokenType = 'DPoP';
    const { client } = setup({ dpop: dpop() });
    const error = await caught(client.get('/data'));
    expect((error as AxiosError).response?.status).toBe(500);
    const proof = String(api.requests[0]?.headers['dpop']);
    expect(proof.split('.')).toHaveLength(3);
    expect(api.requests[0]?.headers.authorization).toBe(`DPoP ${issued[0]}`);
    expectNowhere(error, [...issued, proof]);
  });

  it('keeps the token in the error with "redactErrors: false"', async () => {
    const { client } = setup({ redactErrors: false });
    const error = await caught(client.get('/data'));
    expect((error as AxiosError).config?.headers.Authorization).toBe(`Bearer ${issued[0]}`);
  });

  it('still lets the caller retry the error’s config through the instance, with the token', async () => {
    const { client } = setup();
    const error = (await caught(client.get('/data'))) as AxiosError;
    behaviour = () => 'ok';
    const retried = await client.request<{ authorization: string }>(error.config!);
    expect(retried.data.authorization).toBe(`Bearer ${issued[0]}`);
  });

  it('works with axios-retry: a 500 then a success, the retry carrying the token', async () => {
    let calls = 0;
    behaviour = () => (++calls === 1 ? 500 : 'ok');
    const instance = axios.create({ baseURL: api.origin, timeout: 1_000 });
    setup({}, instance);
    axiosRetry(instance, { retries: 2, retryDelay: () => 0, retryCondition: (e) => e.response?.status === 500 });
    const response = await instance.get<{ authorization: string }>('/data');
    expect(response.status).toBe(200);
    expect(response.data.authorization).toBe(`Bearer ${issued[0]}`);
    expect(api.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${issued[0]}`, `Bearer ${issued[0]}`]);
    expect(issued).toHaveLength(1);
  });

  it('works with axios-retry installed first, and still redacts the final error', async () => {
    const instance = axios.create({ baseURL: api.origin, timeout: 1_000 });
    axiosRetry(instance, { retries: 1, retryDelay: () => 0, retryCondition: (e) => e.response?.status === 500 });
    setup({}, instance);
    const error = await caught(instance.get('/data'));
    expect(api.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${issued[0]}`, `Bearer ${issued[0]}`]);
    expectNowhere(error, issued);
  });
});
