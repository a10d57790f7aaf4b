import axios, { AxiosError } from 'axios';
import { installClientCredentials, MemoryTokenStore, type ClientCredentialsOptions } from '../../lib';
import { json, startLoopbackServer, startTokenServer, type LoopbackServer } from '../support/loopback';

type TokenServer = Awaited<ReturnType<typeof startTokenServer>>;
let tokens: TokenServer;
let api: LoopbackServer;
const revoked = new Set<string>();
/** What the API answers a token it does not accept with; Django OAuth Toolkit's stock view answers 403. */
let rejection: { status: number; challenge?: string } = { status: 403 };

beforeAll(async () => {
  tokens = await startTokenServer();
  api = await startLoopbackServer((req, res) => {
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!revoked.has(token) && tokens.issued.includes(token)) return json(res, 200, { token });
    const headers: Record<string, string> =
      rejection.challenge === undefined ? {} : { 'WWW-Authenticate': rejection.challenge };
    return json(res, rejection.status, { detail: 'Authentication credentials were not provided.' }, headers);
  });
});
afterAll(async () => {
  await tokens.close();
  await api.close();
});
beforeEach(() => {
  tokens.requests.length = 0;
  tokens.issued.length = 0;
  api.requests.length = 0;
  revoked.clear();
  rejection = { status: 403 };
});

function setup(options: Partial<ClientCredentialsOptions> = {}) {
  const instance = axios.create({ baseURL: api.origin });
  const handle = installClientCredentials(instance, {
    tokenUrl: tokens.tokenUrl,
    clientId: 'client',
    clientSecret: 'secret',
    store: new MemoryTokenStore(),
    ...options,
  });
  return { instance, handle };
}

describe('renewOnStatus', () => {
  it('renews and replays once when a revoked token is answered 403 and 403 is listed', async () => {
    const { instance, handle } = setup({ renewOnStatus: [401, 403] });
    await instance.get('/');
    revoked.add(tokens.issued[0]!);
    const response = await instance.get<{ token: string }>('/');
    expect(response.data.token).toBe('token-2');
    expect(tokens.requests).toHaveLength(2);
    expect(api.requests).toHaveLength(3);
    expect(handle.stats()).toMatchObject({ replays: 1 });
  });

  it('does not renew on 403 by default', async () => {
    const { instance } = setup();
    await instance.get('/');
    revoked.add(tokens.issued[0]!);
    await expect(instance.get('/')).rejects.toMatchObject({ response: { status: 403 } });
    expect(tokens.requests).toHaveLength(1);
    expect(api.requests).toHaveLength(2);
  });

  it('never renews on a 403 insufficient_scope challenge', async () => {
    rejection = { status: 403, challenge: 'Bearer error="insufficient_scope", scope="admin"' };
    const { instance } = setup({ renewOnStatus: [401, 403] });
    await instance.get('/');
    revoked.add(tokens.issued[0]!);
    await expect(instance.get('/')).rejects.toBeInstanceOf(AxiosError);
    expect(tokens.requests).toHaveLength(1);
    expect(api.requests).toHaveLength(2);
  });

  it('replays a request once at most when the listed status persists', async () => {
    const { instance } = setup({ renewOnStatus: [403] });
    await instance.get('/');
    tokens.handle((_req, res) => json(res, 200, { access_token: 'never-accepted', token_type: 'Bearer' }));
    revoked.add(tokens.issued[0]!);
    await expect(instance.get('/')).rejects.toMatchObject({ response: { status: 403 } });
    expect(api.requests).toHaveLength(3);
    expect(tokens.requests).toHaveLength(2);
  });

  it.each([[[]], [[200]], [[401.5]], ['401'], [[600]]])('refuses renewOnStatus %j at install', (value) => {
    expect(() => setup({ renewOnStatus: value as number[] })).toThrow(
      new TypeError('"renewOnStatus" option must be a non-empty array of HTTP status codes from 400 to 599'),
    );
  });

  it('accepts renewOnStatus: undefined as the default', () => {
    expect(() => setup({ renewOnStatus: undefined })).not.toThrow();
  });
});
