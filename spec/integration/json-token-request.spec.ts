import axios from 'axios';
import { installClientCredentials, MemoryTokenStore, type ClientCredentialsOptions } from '../../lib';
import { json, startLoopbackServer, type LoopbackServer } from '../support/loopback';

// A token endpoint that refuses form bodies, as some do: JSON only.
let tokens: LoopbackServer;
let api: LoopbackServer;

beforeAll(async () => {
  tokens = await startLoopbackServer((req, res) => {
    if (req.headers['content-type'] !== 'application/json') return json(res, 415, { error: 'invalid_request' });
    const body = JSON.parse(req.body) as Record<string, unknown>;
    if (body['grant_type'] !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
    return json(res, 200, { access_token: 'json-token', token_type: 'Bearer', expires_in: 3600 });
  });
  api = await startLoopbackServer((req, res) => json(res, 200, { authorization: req.headers.authorization }));
});
afterAll(async () => {
  await tokens.close();
  await api.close();
});
beforeEach(() => {
  tokens.requests.length = 0;
});

function setup(options: Partial<ClientCredentialsOptions>) {
  const instance = axios.create({ baseURL: api.origin });
  installClientCredentials(instance, {
    tokenUrl: `${tokens.origin}/token`,
    clientId: 'client',
    clientSecret: 'secret',
    store: new MemoryTokenStore(),
    tokenRequestRetries: 0,
    ...options,
  });
  return instance;
}

describe("tokenRequestBody: 'json'", () => {
  it('sends the same parameters as one JSON object, client_secret_post fields and repeated resources included', async () => {
    const instance = setup({
      tokenRequestBody: 'json',
      clientAuthMethod: 'client_secret_post',
      scope: 'a b',
      resource: ['https://one.example/', 'https://two.example/'],
      audience: 'aud',
    });
    const response = await instance.get<{ authorization: string }>('/');
    expect(response.data.authorization).toBe('Bearer json-token');
    expect(JSON.parse(tokens.requests[0]!.body)).toEqual({
      grant_type: 'client_credentials',
      scope: 'a b',
      audience: 'aud',
      resource: ['https://one.example/', 'https://two.example/'],
      client_id: 'client',
      client_secret: 'secret',
    });
  });

  it('keeps sending forms by default, which this endpoint refuses', async () => {
    await expect(setup({}).get('/')).rejects.toMatchObject({ code: 'OAUTH2_ERROR_RESPONSE', error: 'invalid_request' });
    expect(tokens.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
  });

  it('refuses another tokenRequestBody at install and accepts undefined', () => {
    expect(() => setup({ tokenRequestBody: 'xml' as 'json' })).toThrow(
      new TypeError('"tokenRequestBody" option must be "form" or "json"'),
    );
    expect(() => setup({ tokenRequestBody: undefined })).not.toThrow();
  });
});
