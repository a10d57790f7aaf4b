import axios from 'axios';
import {
  installClientCredentials,
  MemoryTokenStore,
  TokenRequestError,
  type ClientCredentialsOptions,
} from '../../lib';
import { json, startLoopbackServer, type LoopbackServer } from '../support/loopback';

// As Glewlwyd 2.7.5 measured in the issue: Basic credentials compared without form-urldecoding,
// and an empty 403 when they do not match.
const CLIENT_ID = 'glewlwyd-client';
const SECRET = 'a+b/c:d%e f';
let tokens: LoopbackServer;
let api: LoopbackServer;

beforeAll(async () => {
  tokens = await startLoopbackServer((req, res) => {
    const pair = Buffer.from(String(req.headers.authorization).replace(/^Basic /, ''), 'base64').toString('utf8');
    const colon = pair.indexOf(':');
    if (pair.slice(0, colon) !== CLIENT_ID || pair.slice(colon + 1) !== SECRET) {
      res.writeHead(403);
      res.end();
      return;
    }
    return json(res, 200, { access_token: 'raw-token', token_type: 'Bearer', expires_in: 3600 });
  });
  api = await startLoopbackServer((req, res) => json(res, 200, { authorization: req.headers.authorization }));
});
afterAll(async () => {
  await tokens.close();
  await api.close();
});

function setup(options: Partial<ClientCredentialsOptions> = {}) {
  const instance = axios.create({ baseURL: api.origin });
  installClientCredentials(instance, {
    tokenUrl: `${tokens.origin}/token`,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    store: new MemoryTokenStore(),
    tokenRequestRetries: 0,
    ...options,
  });
  return instance;
}

describe('basicEncoding', () => {
  it("sends the id and secret unencoded with basicEncoding: 'raw'", async () => {
    const response = await setup({ basicEncoding: 'raw' }).get<{ authorization: string }>('/');
    expect(response.data.authorization).toBe('Bearer raw-token');
    expect(tokens.requests.at(-1)!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`,
    );
  });

  it("names basicEncoding: 'raw' in the error of an empty 403 to RFC 6749 encoded credentials", async () => {
    const error = await setup()
      .get('/')
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error).toMatchObject({
      code: 'TOKEN_RESPONSE_HTTP_ERROR',
      status: 403,
      message:
        "token endpoint answered HTTP 403 without an OAuth 2.0 error (an empty answer to Basic credentials: if the server does not form-urldecode them, set basicEncoding: 'raw')",
    });
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('gives no hint for an empty 403 when the request did not use Basic', async () => {
    const error = await setup({ clientAuthMethod: 'client_secret_post' })
      .get('/')
      .catch((failure: unknown) => failure);
    expect(error).toMatchObject({ message: 'token endpoint answered HTTP 403 without an OAuth 2.0 error' });
  });

  it('refuses another basicEncoding at install and accepts undefined', () => {
    expect(() => setup({ basicEncoding: 'rfc2617' as 'raw' })).toThrow(
      new TypeError('"basicEncoding" option must be "rfc6749" or "raw"'),
    );
    expect(() => setup({ basicEncoding: undefined })).not.toThrow();
  });
});
