import { inspect } from 'node:util';
import axios from 'axios';
import {
  installClientCredentials,
  MemoryTokenStore,
  TokenRequestError,
  type ClientCredentialsOptions,
} from '../../lib';
import { json, startLoopbackServer, type LoopbackServer } from '../support/loopback';

// A provider outside RFC 6749 §5.1: the token in an envelope, no token_type, expires_at (epoch seconds).
let tokens: LoopbackServer;
let api: LoopbackServer;
let expiresAt = 0;

beforeAll(async () => {
  tokens = await startLoopbackServer((_req, res) =>
    json(res, 200, { data: { token: 'enveloped-token', expires_at: expiresAt } }),
  );
  api = await startLoopbackServer((req, res) => json(res, 200, { authorization: req.headers.authorization }));
});
afterAll(async () => {
  await tokens.close();
  await api.close();
});

function setup(mapTokenResponse: ClientCredentialsOptions['mapTokenResponse']) {
  const instance = axios.create({ baseURL: api.origin });
  const handle = installClientCredentials(instance, {
    tokenUrl: `${tokens.origin}/token`,
    clientId: 'client',
    clientSecret: 'secret',
    store: new MemoryTokenStore(),
    tokenRequestRetries: 0,
    mapTokenResponse,
  });
  return { instance, handle };
}

const envelope = (body: Record<string, unknown>): Record<string, unknown> => {
  const data = body['data'] as { token: string; expires_at: number };
  return {
    access_token: data.token,
    token_type: 'Bearer',
    expires_in: data.expires_at - Math.floor(Date.now() / 1000),
  };
};

describe('mapTokenResponse', () => {
  it('maps an envelope with expires_at to the standard fields before the checks', async () => {
    expiresAt = Math.floor(Date.now() / 1000) + 600;
    const { instance, handle } = setup(envelope);
    const response = await instance.get<{ authorization: string }>('/');
    expect(response.data.authorization).toBe('Bearer enveloped-token');
    const token = await handle.getToken();
    expect(Math.abs(token.expiresAt - expiresAt * 1000)).toBeLessThanOrEqual(1000);
  });

  it('is a hard error without it, as before', async () => {
    const { instance } = setup(undefined);
    await expect(instance.get('/')).rejects.toMatchObject({
      code: 'TOKEN_RESPONSE_INVALID',
      message: 'token response has no "access_token" string',
    });
  });

  it('fails with TOKEN_RESPONSE_INVALID, without the mapper error or the token, when the mapper throws', async () => {
    const { instance } = setup((body) => {
      throw new Error(`cannot map ${JSON.stringify(body)}`);
    });
    const error = await instance.get('/').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error).toMatchObject({
      code: 'TOKEN_RESPONSE_INVALID',
      message: '"mapTokenResponse" threw on the token response',
    });
    expect(inspect(error, { depth: 10 })).not.toContain('enveloped-token');
  });

  it('fails with TOKEN_RESPONSE_INVALID when the mapper returns no plain object', async () => {
    const { instance } = setup(() => 'nope' as unknown as Record<string, unknown>);
    await expect(instance.get('/')).rejects.toMatchObject({
      code: 'TOKEN_RESPONSE_INVALID',
      message: '"mapTokenResponse" did not return a plain object',
    });
  });

  it('refuses a mapTokenResponse that is not a function at install', () => {
    expect(() => setup({} as unknown as () => Record<string, unknown>)).toThrow(
      new TypeError('"mapTokenResponse" option must be a function'),
    );
  });
});
