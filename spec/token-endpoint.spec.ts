import { Agent } from 'node:https';
import { inspect } from 'node:util';
import axios, { type AxiosResponse } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createClientAuthentication } from './support/client-auth';
import { installClientCredentials, MemoryTokenStore } from '../lib';
import { resolveDPoP } from '../lib/dpop';
import { dpopScheme } from '../lib/dpop-request';
import { OAuth2Error, TokenRequestError } from '../lib/errors';
import {
  MAX_TOKEN_RESPONSE_BYTES,
  parseTokenResponse,
  requestToken,
  type TokenEndpointSettings,
} from '../lib/token-endpoint';
import { bearerScheme, type TokenScheme } from '../lib/token-scheme';
import { systemClock } from '../lib/clock';

const TOKEN_URL = 'https://auth.example.com/oauth/token';
const SECRET = 'top-secret-value';

function setup(params: Array<[string, string]> = []) {
  const client = axios.create();
  const mock = new MockAdapter(client);
  const settings: TokenEndpointSettings = {
    tokenUrl: TOKEN_URL,
    params,
    authenticate: createClientAuthentication('client_secret_basic', { clientId: 'svc', clientSecret: SECRET }),
    client,
    timeoutMs: 1000,
    defaultLifetimeMs: 300_000,
    requestedScope: 'a b',
    now: () => 1_000_000,
  };
  return { mock, settings };
}

const context = { sentAt: 5000, defaultLifetimeMs: 300_000, requestedScope: undefined };

const TOKEN_JSON = JSON.stringify({ access_token: 't', token_type: 'Bearer', expires_in: 60 });

/** What the mock got as the one token request. */
function sentRequest(mock: MockAdapter, index = 0) {
  const sent = mock.history['post']![index];
  if (sent === undefined) throw new Error(`no token request #${index}`);
  return sent;
}

/** The rejection of `promise`, which must reject with a TokenRequestError. */
async function tokenRequestError(promise: Promise<unknown>): Promise<TokenRequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenRequestError);
  return error as TokenRequestError;
}

describe('requestToken()', () => {
  it('POSTs a form-urlencoded client_credentials request with Accept: application/json (RFC 6749 §4.4.2)', async () => {
    const { mock, settings } = setup([
      ['scope', 'a b'],
      ['audience', 'https://api'],
      ['resource', 'https://r1/'],
      ['resource', 'https://r2/'],
      ['tenant', 'x y'],
    ]);
    mock.onPost(TOKEN_URL).reply(200, JSON.stringify({ access_token: 't', token_type: 'Bearer', expires_in: 60 }));
    await requestToken(settings);
    const sent = mock.history['post']![0]!;
    expect(sent.headers!['Content-Type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(sent.headers!['Accept']).toBe('application/json');
    expect(sent.headers!['Authorization']).toMatch(/^Basic /);
    const body = new URLSearchParams(sent.data as string);
    expect(body.get('grant_type')).toBe('client_credentials');
    expect(body.get('scope')).toBe('a b');
    expect(body.get('audience')).toBe('https://api');
    expect(body.getAll('resource')).toEqual(['https://r1/', 'https://r2/']);
    expect(body.get('tenant')).toBe('x y');
    expect(sent.maxRedirects).toBe(0);
    expect(sent.timeout).toBe(1000);
    // The connect-to-last-byte deadline: axios' timeout alone only notices an idle socket.
    expect(sent.signal).toBeInstanceOf(AbortSignal);
  });

  it('computes expiresAt from the moment the request was sent', async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).reply(200, JSON.stringify({ access_token: 't', token_type: 'Bearer', expires_in: 60 }));
    const token = await requestToken(settings);
    expect(token).toEqual({
      accessToken: 't',
      tokenType: 'Bearer',
      issuedAt: 1_000_000,
      expiresAt: 1_060_000,
      scope: 'a b',
    });
    expect(Object.isFrozen(token)).toBe(true);
  });

  it('turns a network failure into TokenRequestError TOKEN_ENDPOINT_UNREACHABLE without the AxiosError', async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).networkError();
    const error = await requestToken(settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as TokenRequestError).code).toBe('TOKEN_ENDPOINT_UNREACHABLE');
    expect(axios.isAxiosError((error as Error).cause)).toBe(false);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(SECRET);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('Basic ');
  });

  it('turns a timeout into TokenRequestError TOKEN_ENDPOINT_TIMEOUT', async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).timeout();
    await expect(requestToken(settings)).rejects.toMatchObject({
      name: 'TokenRequestError',
      code: 'TOKEN_ENDPOINT_TIMEOUT',
    });
  });

  it('turns a 401 invalid_client into OAuth2Error with the RFC 6749 §5.2 fields', async () => {
    const { mock, settings } = setup();
    mock
      .onPost(TOKEN_URL)
      .reply(
        401,
        JSON.stringify({ error: 'invalid_client', error_description: 'bad creds', error_uri: 'https://e/x' }),
      );
    const error = (await requestToken(settings).catch((e: unknown) => e)) as OAuth2Error;
    expect(error).toBeInstanceOf(OAuth2Error);
    expect(error).toMatchObject({
      name: 'OAuth2Error',
      code: 'OAUTH2_ERROR_RESPONSE',
      error: 'invalid_client',
      errorDescription: 'bad creds',
      errorUri: 'https://e/x',
      status: 401,
    });
    expect(error.message).toBe('token endpoint answered "invalid_client" (HTTP 401): bad creds');
    for (const view of [error.message, inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)]) {
      expect(view).not.toContain(SECRET);
    }
  });
});

describe('parseTokenResponse()', () => {
  it('accepts token_type case-insensitively and sends it as Bearer', () => {
    const token = parseTokenResponse(200, '{"access_token":"t","token_type":"bEaReR","expires_in":10}', context);
    expect(token.tokenType).toBe('Bearer');
    expect(token.expiresAt).toBe(15_000);
  });

  it('accepts expires_in as a numeric string', () => {
    expect(
      parseTokenResponse(200, '{"access_token":"t","token_type":"Bearer","expires_in":"120"}', context).expiresAt,
    ).toBe(125_000);
  });

  it('uses the default lifetime when expires_in is missing', () => {
    expect(parseTokenResponse(200, '{"access_token":"t","token_type":"Bearer"}', context).expiresAt).toBe(305_000);
  });

  it('keeps the granted scope, else the requested one (RFC 6749 §5.1)', () => {
    const granted = parseTokenResponse(200, '{"access_token":"t","token_type":"Bearer","scope":"a"}', {
      ...context,
      requestedScope: 'a b',
    });
    expect(granted.scope).toBe('a');
    const omitted = parseTokenResponse(200, '{"access_token":"t","token_type":"Bearer"}', {
      ...context,
      requestedScope: 'a b',
    });
    expect(omitted.scope).toBe('a b');
  });

  it('ignores unknown members', () => {
    expect(
      parseTokenResponse(200, '{"access_token":"t","token_type":"Bearer","ext":{"x":1},"refresh_token":"r"}', context),
    ).toEqual({ accessToken: 't', tokenType: 'Bearer', issuedAt: 5000, expiresAt: 305_000 });
  });

  it('reports a 200 that carries error as OAuth2Error', () => {
    expect(() => parseTokenResponse(200, '{"error":"invalid_scope"}', context)).toThrow(OAuth2Error);
  });

  it.each([
    ['HTML', 200, '<html><body>Login</body></html>', 'TOKEN_RESPONSE_INVALID'],
    ['truncated JSON', 200, '{"access_token":"t","tok', 'TOKEN_RESPONSE_INVALID'],
    ['a JSON array', 200, '[]', 'TOKEN_RESPONSE_INVALID'],
    ['an empty object', 200, '{}', 'TOKEN_RESPONSE_INVALID'],
    ['a non-string access_token', 200, '{"access_token":42,"token_type":"Bearer"}', 'TOKEN_RESPONSE_INVALID'],
    ['an empty access_token', 200, '{"access_token":"","token_type":"Bearer"}', 'TOKEN_RESPONSE_INVALID'],
    ['no token_type', 200, '{"access_token":"t"}', 'TOKEN_RESPONSE_INVALID'],
    ['an unknown token_type', 200, '{"access_token":"t","token_type":"mac"}', 'TOKEN_RESPONSE_INVALID'],
    [
      'a negative expires_in',
      200,
      '{"access_token":"t","token_type":"Bearer","expires_in":-1}',
      'TOKEN_RESPONSE_INVALID',
    ],
    [
      'a non-numeric expires_in',
      200,
      '{"access_token":"t","token_type":"Bearer","expires_in":"soon"}',
      'TOKEN_RESPONSE_INVALID',
    ],
    ['a non-string scope', 200, '{"access_token":"t","token_type":"Bearer","scope":["a"]}', 'TOKEN_RESPONSE_INVALID'],
    ['a 500 HTML page', 500, '<h1>oops</h1>', 'TOKEN_RESPONSE_HTTP_ERROR'],
    ['a 400 JSON without error', 400, '{"message":"no"}', 'TOKEN_RESPONSE_HTTP_ERROR'],
  ])('rejects %s with TokenRequestError %s', (_name, status, body, code) => {
    let thrown: unknown;
    try {
      parseTokenResponse(status, body, context);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TokenRequestError);
    expect(thrown).toMatchObject({ code, status });
  });
});

describe('parseTokenResponse() validates the token like a credential', () => {
  const body = (fields: Record<string, unknown>): string => JSON.stringify({ token_type: 'Bearer', ...fields });
  function rejection(data: unknown, extra: Partial<Parameters<typeof parseTokenResponse>[2]> = {}): TokenRequestError {
    try {
      parseTokenResponse(200, data, { ...context, ...extra });
    } catch (error) {
      expect(error).toBeInstanceOf(TokenRequestError);
      return error as TokenRequestError;
    }
    throw new Error('no error thrown');
  }
  const NOT_A12 = 'token response "access_token" holds characters RFC 6749 Appendix A.12 does not allow';

  it.each([
    ['CR/LF (header injection)', 'abc\r\nX-Injected: yes'],
    ['a lone LF', 'abc\ndef'],
    ['a tab', 'abc\tdef'],
    ['only spaces', '   '],
    ['a non-ASCII character', 'tökén'],
    ['a NUL', 'abc\u0000'],
  ])('refuses an access_token with %s as TOKEN_RESPONSE_INVALID', (_name, accessToken) => {
    const error = rejection(body({ access_token: accessToken }));
    expect(error.code).toBe('TOKEN_RESPONSE_INVALID');
    expect(error.message).toBe(NOT_A12);
  });

  it('accepts an access_token of visible ASCII with inner spaces (VSCHAR is %x20-7E)', () => {
    expect(parseTokenResponse(200, body({ access_token: ' a~b c!' }), context).accessToken).toBe(' a~b c!');
  });

  it('accepts an access_token of 8000 characters and refuses 8001 by default', () => {
    expect(parseTokenResponse(200, body({ access_token: 'x'.repeat(8000) }), context).accessToken).toHaveLength(8000);
    const error = rejection(body({ access_token: 'x'.repeat(8001) }));
    expect(error.code).toBe('TOKEN_RESPONSE_INVALID');
    expect(error.message).toBe('token response "access_token" is longer than 8000 characters ("maxAccessTokenLength")');
  });

  it('refuses an access_token longer than "maxAccessTokenLength"', () => {
    expect(rejection(body({ access_token: 'x'.repeat(11) }), { maxAccessTokenLength: 10 }).message).toBe(
      'token response "access_token" is longer than 10 characters ("maxAccessTokenLength")',
    );
  });

  it('treats expires_in 0 as absent: the default lifetime', () => {
    expect(parseTokenResponse(200, body({ access_token: 't', expires_in: 0 }), context).expiresAt).toBe(305_000);
    expect(parseTokenResponse(200, body({ access_token: 't', expires_in: '0' }), context).expiresAt).toBe(305_000);
  });

  it('clamps a huge expires_in to one year, so expiry stays finite', () => {
    const year = 365 * 24 * 3600 * 1000;
    for (const expiresIn of [1e308, Number.MAX_SAFE_INTEGER, 400 * 24 * 3600]) {
      const token = parseTokenResponse(200, body({ access_token: 't', expires_in: expiresIn }), context);
      expect(token.expiresAt).toBe(5000 + year);
    }
    expect(
      parseTokenResponse(200, body({ access_token: 't' }), { ...context, defaultLifetimeMs: 1e308 }).expiresAt,
    ).toBe(5000 + year);
  });
});

describe('parseTokenResponse() keeps server error text bounded', () => {
  function oauthFailure(fields: Record<string, unknown>, redact?: (text: string) => string): OAuth2Error {
    try {
      parseTokenResponse(400, JSON.stringify({ error: 'invalid_request', ...fields }), {
        ...context,
        ...(redact === undefined ? {} : { redact }),
      });
    } catch (error) {
      expect(error).toBeInstanceOf(OAuth2Error);
      return error as OAuth2Error;
    }
    throw new Error('no error thrown');
  }

  it('caps error_description at 1024 characters and error_uri at 2048', () => {
    const error = oauthFailure({ error_description: 'd'.repeat(500_000), error_uri: `https://e/${'u'.repeat(5000)}` });
    expect(error.errorDescription).toBe(`${'d'.repeat(1024)}…`);
    expect(error.errorUri).toHaveLength(2049);
    expect(error.message).toHaveLength('token endpoint answered "invalid_request" (HTTP 400): '.length + 1025);
  });

  it('caps the error code at 128 characters', () => {
    expect(oauthFailure({ error: 'e'.repeat(10_000) }).error).toBe(`${'e'.repeat(128)}…`);
  });

  it('blanks control characters, so a description cannot forge log lines', () => {
    expect(oauthFailure({ error_description: 'bad\r\nlevel=info msg=ok' }).errorDescription).toBe(
      'bad  level=info msg=ok',
    );
  });

  it('redacts before capping, so no prefix of a secret survives the cut', () => {
    const secret = 'S'.repeat(40);
    const error = oauthFailure({ error_description: `${'d'.repeat(1000)}${secret}` }, (t) =>
      t.split(secret).join('[redacted]'),
    );
    expect(error.errorDescription).toBe(`${'d'.repeat(1000)}[redacted]`);
  });
});

describe('requestToken() redacts what it sent from an echoing server', () => {
  const CLIENT_ID = 'svc id';
  const ECHO_SECRET = 'echo secret/+value';

  function echoing(method: 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt') {
    const client = axios.create();
    const mock = new MockAdapter(client);
    const settings: TokenEndpointSettings = {
      tokenUrl: TOKEN_URL,
      params: [],
      authenticate: createClientAuthentication(method, {
        clientId: CLIENT_ID,
        clientSecret: method === 'client_secret_jwt' ? ECHO_SECRET.repeat(3) : ECHO_SECRET,
      }),
      client,
      timeoutMs: 1000,
      defaultLifetimeMs: 300_000,
      requestedScope: undefined,
      now: () => 1_000_000,
    };
    return { mock, settings };
  }

  function views(error: unknown): string[] {
    const e = error as OAuth2Error;
    return [e.message, inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error)];
  }

  it('never puts the secret or the Basic value into OAuth2Error message, inspect or JSON', async () => {
    const { mock, settings } = echoing('client_secret_basic');
    mock.onPost(TOKEN_URL).reply((config) => {
      const authorization = String(config.headers?.['Authorization']);
      const encoded = authorization.slice('Basic '.length);
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const description = `got "${authorization}" = ${encoded} = ${decoded}, secret ${decodeURIComponent(decoded.split(':')[1]!.replace(/\+/g, ' '))}`;
      return [
        401,
        JSON.stringify({
          error: 'invalid_client',
          error_description: description,
          error_uri: `https://e/?a=${encoded}`,
        }),
      ];
    });
    const error = await requestToken(settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuth2Error);
    expect((error as OAuth2Error).errorDescription).toBe(
      'got "[redacted]" = [redacted] = [redacted], secret [redacted]',
    );
    expect((error as OAuth2Error).errorUri).toBe('https://e/?a=[redacted]');
    const basic = Buffer.from('svc+id:echo+secret%2F%2Bvalue').toString('base64');
    for (const view of views(error)) {
      expect(view).not.toContain(ECHO_SECRET);
      expect(view).not.toContain(basic);
      expect(view).not.toContain('echo+secret');
    }
  });

  it('redacts an echoed client_secret body parameter, raw and form-encoded', async () => {
    const { mock, settings } = echoing('client_secret_post');
    mock.onPost(TOKEN_URL).reply((config) => {
      const sent = new URLSearchParams(String(config.data)).get('client_secret');
      return [400, JSON.stringify({ error: 'invalid_client', error_description: `${sent} / ${String(config.data)}` })];
    });
    const error = await requestToken(settings).catch((e: unknown) => e);
    expect((error as OAuth2Error).errorDescription).toBe(
      '[redacted] / grant_type=client_credentials&client_id=svc+id&client_secret=[redacted]',
    );
    for (const view of views(error)) expect(view).not.toContain('echo');
  });

  it('redacts an echoed client assertion', async () => {
    const { mock, settings } = echoing('client_secret_jwt');
    let assertion = '';
    mock.onPost(TOKEN_URL).reply((config) => {
      assertion = new URLSearchParams(String(config.data)).get('client_assertion') ?? '';
      return [400, JSON.stringify({ error: 'invalid_client', error_description: `bad ${assertion}` })];
    });
    const error = await requestToken(settings).catch((e: unknown) => e);
    expect(assertion).toMatch(/^ey/);
    expect((error as OAuth2Error).errorDescription).toBe('bad [redacted]');
    for (const view of views(error)) expect(view).not.toContain(assertion);
  });
});

describe('requestToken() with DPoP and an echoing server', () => {
  it('redacts the echoed DPoP proof', async () => {
    const { mock, settings } = setup();
    let proof = '';
    mock.onPost(TOKEN_URL).reply((config) => {
      proof = String(config.headers?.['DPoP']);
      return [400, JSON.stringify({ error: 'invalid_dpop_proof', error_description: `proof ${proof} rejected` })];
    });
    const error = await requestToken({
      ...settings,
      scheme: dpopScheme(axios.create(), resolveDPoP(true)!),
    }).catch((e: unknown) => e);
    expect(proof).toMatch(/^ey/);
    expect((error as OAuth2Error).errorDescription).toBe('proof [redacted] rejected');
    expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(proof);
    expect(JSON.stringify(error)).not.toContain(proof);
  });
});

describe('requestToken() with axios-mock-adapter replying a plain object', () => {
  it('accepts reply(200, {...}) on the default token client, exactly as a user writes it', async () => {
    const mock = new MockAdapter(axios);
    try {
      mock.onPost(TOKEN_URL).reply(200, { access_token: 't', token_type: 'Bearer', expires_in: 3600 });
      mock.onGet('https://api.example.com/data').reply((config) => [200, { auth: config.headers?.['Authorization'] }]);
      const api = axios.create({ baseURL: 'https://api.example.com' });
      installClientCredentials(api, {
        tokenUrl: TOKEN_URL,
        clientId: 'svc',
        clientSecret: SECRET,
        store: new MemoryTokenStore(),
      });
      expect((await api.get('/data')).data).toEqual({ auth: 'Bearer t' });
      expect(mock.history['post']).toHaveLength(1);
    } finally {
      mock.restore();
    }
  });

  it('holds a plain object to the same field checks as JSON text', () => {
    expect(parseTokenResponse(200, { access_token: 't', token_type: 'Bearer', expires_in: 60 }, context)).toEqual({
      accessToken: 't',
      tokenType: 'Bearer',
      issuedAt: 5000,
      expiresAt: 65_000,
    });
    expect(
      parseTokenResponse(200, Object.assign(Object.create(null), { access_token: 't', token_type: 'Bearer' }), context)
        .accessToken,
    ).toBe('t');
    expect(() => parseTokenResponse(200, { access_token: 'a\r\nb', token_type: 'Bearer' }, context)).toThrow(
      TokenRequestError,
    );
    expect(() => parseTokenResponse(200, { error: 'invalid_scope' }, context)).toThrow(OAuth2Error);
  });

  it.each([
    ['an array', [{ access_token: 't', token_type: 'Bearer' }]],
    [
      'a class instance',
      new (class Token {
        access_token = 't';
        token_type = 'Bearer';
      })(),
    ],
    ['a Map', new Map([['access_token', 't']])],
    ['an object inheriting the fields', Object.create({ access_token: 't', token_type: 'Bearer' }) as object],
  ])('refuses %s with "token response is not a JSON object"', (_name, data) => {
    expect(() => parseTokenResponse(200, data, context)).toThrow('token response is not a JSON object');
  });
});

describe('requestToken() sends the request it documents', () => {
  it('hands the client authentication the body, the headers, the token URL and the issuer', async () => {
    const { mock, settings } = setup([['scope', 'a b']]);
    mock.onPost(TOKEN_URL).reply(200, TOKEN_JSON);
    const seen: Array<{ body: string; headers: Record<string, string>; tokenUrl: string; issuer: unknown }> = [];
    await requestToken({
      ...settings,
      issuer: 'https://auth.example.com',
      authenticate: (request) => {
        seen.push({
          body: request.body.toString(),
          headers: { ...request.headers },
          tokenUrl: request.tokenUrl,
          issuer: request.issuer,
        });
        request.body.append('client_id', 'svc');
        request.headers['X-Client'] = 'svc';
      },
    });
    expect(seen).toEqual([
      {
        body: 'grant_type=client_credentials&scope=a+b',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', Accept: 'application/json' },
        tokenUrl: TOKEN_URL,
        issuer: 'https://auth.example.com',
      },
    ]);
    const sent = sentRequest(mock);
    expect(sent.data).toBe('grant_type=client_credentials&scope=a+b&client_id=svc');
    expect(sent.headers!['X-Client']).toBe('svc');
  });

  it("adds the scheme's headers for the token URL after client authentication", async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).reply(200, TOKEN_JSON);
    const signed: Array<{ headers: Record<string, string>; tokenUrl: string }> = [];
    const scheme: TokenScheme = {
      ...bearerScheme(),
      signTokenRequest: (headers, tokenUrl) => {
        signed.push({ headers: { ...headers }, tokenUrl });
        headers['DPoP'] = 'proof';
      },
    };
    await requestToken({ ...settings, scheme });
    expect(signed).toHaveLength(1);
    expect(signed[0]!.tokenUrl).toBe(TOKEN_URL);
    expect(signed[0]!.headers['Authorization']).toMatch(/^Basic /);
    expect(sentRequest(mock).headers!['DPoP']).toBe('proof');
  });

  it('sends a JSON object with "tokenRequestBody: json", a repeated parameter as an array in order', async () => {
    const { mock, settings } = setup([
      ['scope', 'a b'],
      ['resource', 'https://r1/'],
      ['resource', 'https://r2/'],
    ]);
    mock.onPost(TOKEN_URL).reply(200, TOKEN_JSON);
    await requestToken({ ...settings, tokenRequestBody: 'json' });
    const sent = sentRequest(mock);
    expect(sent.headers!['Content-Type']).toBe('application/json');
    expect(sent.headers!['Accept']).toBe('application/json');
    expect(sent.data).toBe(
      '{"grant_type":"client_credentials","scope":"a b","resource":["https://r1/","https://r2/"]}',
    );
  });

  it('sends a form with "tokenRequestBody: form"', async () => {
    const { mock, settings } = setup([['scope', 'a b']]);
    mock.onPost(TOKEN_URL).reply(200, TOKEN_JSON);
    await requestToken({ ...settings, tokenRequestBody: 'form' });
    const sent = sentRequest(mock);
    expect(sent.headers!['Content-Type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(sent.data).toBe('grant_type=client_credentials&scope=a+b');
  });

  it("takes the raw text, bounded, whatever the client's own response settings", async () => {
    const client = axios.create({
      responseType: 'json',
      transformResponse: [() => ({ access_token: 'from-the-client-transform', token_type: 'Bearer' })],
      validateStatus: (status) => status === 200,
    });
    const mock = new MockAdapter(client);
    mock.onPost(TOKEN_URL).reply(200, TOKEN_JSON);
    const { settings } = setup();
    expect((await requestToken({ ...settings, client })).accessToken).toBe('t');
    const sent = sentRequest(mock);
    expect(sent.responseType).toBe('text');
    expect(sent.maxContentLength).toBe(MAX_TOKEN_RESPONSE_BYTES);
    expect(MAX_TOKEN_RESPONSE_BYTES).toBe(1_048_576);
    // Every status is the parser's to judge, not axios'.
    expect([200, 302, 400, 401, 500].map((status) => sent.validateStatus!(status))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('uses the client\'s own timeout when it sets one, else "timeoutMs"', async () => {
    const client = axios.create({ timeout: 250 });
    const mock = new MockAdapter(client);
    mock.onPost(TOKEN_URL).reply(200, TOKEN_JSON);
    const { settings } = setup();
    await requestToken({ ...settings, client });
    expect(sentRequest(mock).timeout).toBe(250);
  });

  it('presents the "httpsAgent" setting, else leaves the client\'s own agent in place', async () => {
    const own = new Agent();
    const certificate = new Agent();
    const client = axios.create({ httpsAgent: own });
    const mock = new MockAdapter(client);
    mock.onPost(TOKEN_URL).reply(200, TOKEN_JSON);
    const { settings } = setup();
    await requestToken({ ...settings, client });
    await requestToken({ ...settings, client, httpsAgent: certificate });
    expect(sentRequest(mock, 0).httpsAgent).toBe(own);
    expect(sentRequest(mock, 1).httpsAgent).toBe(certificate);
  });
});

describe('requestToken() asks the scheme about every answer', () => {
  /** A scheme that asks for one more request after a 400 answer, as DPoP does for a nonce. */
  function resendingScheme(seen: Array<{ status: number; tokenUrl: string }>): TokenScheme {
    return {
      ...bearerScheme(),
      resendTokenRequest: (response: AxiosResponse<unknown>, tokenUrl: string) => {
        seen.push({ status: response.status, tokenUrl });
        return response.status === 400;
      },
    };
  }

  it('sends once more when the scheme asks, counts it, and parses the second answer', async () => {
    const { mock, settings } = setup();
    mock
      .onPost(TOKEN_URL)
      .replyOnce(400, JSON.stringify({ error: 'use_dpop_nonce' }))
      .onPost(TOKEN_URL)
      .replyOnce(200, JSON.stringify({ access_token: 'second', token_type: 'Bearer', expires_in: 60 }));
    const seen: Array<{ status: number; tokenUrl: string }> = [];
    let retries = 0;
    const token = await requestToken({
      ...settings,
      scheme: resendingScheme(seen),
      onNonceRetry: () => (retries += 1),
    });
    expect(token.accessToken).toBe('second');
    expect(mock.history['post']).toHaveLength(2);
    expect(retries).toBe(1);
    // The second answer is parsed as it is: the scheme is asked about the first one only.
    expect(seen).toEqual([{ status: 400, tokenUrl: TOKEN_URL }]);
  });

  it('resends without an "onNonceRetry" to tell', async () => {
    const { mock, settings } = setup();
    mock
      .onPost(TOKEN_URL)
      .replyOnce(400, JSON.stringify({ error: 'use_dpop_nonce' }))
      .onPost(TOKEN_URL)
      .replyOnce(200, TOKEN_JSON);
    expect((await requestToken({ ...settings, scheme: resendingScheme([]) })).accessToken).toBe('t');
    expect(mock.history['post']).toHaveLength(2);
  });

  it('sends one request when the scheme does not ask, and never calls "onNonceRetry"', async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).reply(200, TOKEN_JSON);
    let retries = 0;
    await requestToken({ ...settings, onNonceRetry: () => (retries += 1) });
    expect(mock.history['post']).toHaveLength(1);
    expect(retries).toBe(0);
  });

  it('accepts the token types the scheme accepts, and only those', async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).reply(200, JSON.stringify({ access_token: 't', token_type: 'DPoP', expires_in: 60 }));
    const dpopOnly: TokenScheme = {
      ...bearerScheme(),
      tokenType: (type) => (type.toLowerCase() === 'dpop' ? 'DPoP' : undefined),
    };
    expect((await requestToken({ ...settings, scheme: dpopOnly })).tokenType).toBe('DPoP');
    const error = await tokenRequestError(requestToken(settings));
    expect(error.code).toBe('TOKEN_RESPONSE_INVALID');
    expect(error.message).toBe('token response has unsupported "token_type" "DPoP"');
  });
});

describe('requestToken() hands the parser what it knows of the request', () => {
  it('keeps the Retry-After of a 503, in seconds, as retryAfterMs', async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).reply(503, '', { 'retry-after': '7' });
    const error = await tokenRequestError(requestToken(settings));
    expect(error).toMatchObject({ code: 'TOKEN_RESPONSE_HTTP_ERROR', status: 503, retryAfterMs: 7000 });
  });

  it("reads a Retry-After date against the settings' clock", async () => {
    const { mock, settings } = setup();
    // settings.now() is 1,000,000 ms after the epoch: this date is 30 s later.
    mock.onPost(TOKEN_URL).reply(429, '', { 'retry-after': new Date(1_030_000).toUTCString() });
    expect((await tokenRequestError(requestToken(settings))).retryAfterMs).toBe(30_000);
  });

  it('takes the first of repeated Retry-After values, as an adapter may hand them over', async () => {
    const { mock, settings } = setup();
    const repeated = { 'retry-after': ['7', '9'] } as unknown as Record<string, string>;
    mock.onPost(TOKEN_URL).reply(503, '', repeated);
    expect((await tokenRequestError(requestToken(settings))).retryAfterMs).toBe(7000);
  });

  it('names the Basic encoding in the error of an empty 401, "rfc6749" unless told otherwise', async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).reply(401, '');
    const byDefault = await tokenRequestError(requestToken(settings));
    expect(byDefault.message).toBe(
      "token endpoint answered HTTP 401 without an OAuth 2.0 error (an empty answer to Basic credentials: if the server does not form-urldecode them, set basicEncoding: 'raw')",
    );
    const raw = await tokenRequestError(requestToken({ ...settings, basicEncoding: 'raw' }));
    expect(raw.message).toBe(
      "token endpoint answered HTTP 401 without an OAuth 2.0 error (an empty answer to Basic credentials sent with basicEncoding: 'raw'; if the server decodes them per RFC 6749, use 'rfc6749')",
    );
  });

  it('gives no Basic hint when the request carried no Basic credentials', async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).reply(401, '');
    const post = createClientAuthentication('client_secret_post', { clientId: 'svc', clientSecret: SECRET });
    const error = await tokenRequestError(requestToken({ ...settings, authenticate: post, basicEncoding: 'raw' }));
    expect(error.message).toBe('token endpoint answered HTTP 401 without an OAuth 2.0 error');
    const bearer = await tokenRequestError(
      requestToken({
        ...settings,
        authenticate: ({ headers }) => {
          headers['Authorization'] = 'Bearer not-basic';
        },
      }),
    );
    expect(bearer.message).toBe('token endpoint answered HTTP 401 without an OAuth 2.0 error');
  });

  it('holds the access token to "maxAccessTokenLength"', async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).reply(200, JSON.stringify({ access_token: 'x'.repeat(11), token_type: 'Bearer' }));
    const error = await tokenRequestError(requestToken({ ...settings, maxAccessTokenLength: 10 }));
    expect(error.message).toBe('token response "access_token" is longer than 10 characters ("maxAccessTokenLength")');
    expect((await requestToken(settings)).accessToken).toBe('x'.repeat(11));
  });

  it('applies "mapTokenResponse" to the answer before the checks', async () => {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).reply(200, JSON.stringify({ token: 'mapped', type: 'Bearer' }));
    const token = await requestToken({
      ...settings,
      mapTokenResponse: (body) => ({ access_token: body['token'], token_type: body['type'] }),
    });
    expect(token).toEqual({
      accessToken: 'mapped',
      tokenType: 'Bearer',
      issuedAt: 1_000_000,
      expiresAt: 1_300_000,
      scope: 'a b',
    });
  });
});

describe('requestToken() turns each failure into its own error', () => {
  /** Settings whose token request fails with `failure`, as an adapter or the network would. */
  function failing(failure: unknown) {
    const { mock, settings } = setup();
    mock.onPost(TOKEN_URL).reply(() => Promise.reject(failure));
    return settings;
  }

  /** The message, code and cause (message, code) of the error for `failure`. */
  async function outcome(failure: unknown) {
    const error = await tokenRequestError(requestToken(failing(failure)));
    const cause = error.cause as Error & { code?: unknown };
    expect(cause).toBeInstanceOf(Error);
    expect(cause).not.toBe(failure);
    return { code: error.code, message: error.message, cause: { message: cause.message, code: cause.code } };
  }

  const failure = (message: string, code?: unknown) => Object.assign(new Error(message), { code });

  it.each([
    [
      'a refused connection',
      failure('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'),
      'TOKEN_ENDPOINT_UNREACHABLE',
      'token request failed (ECONNREFUSED)',
    ],
    [
      "axios' ECONNABORTED",
      failure('timeout of 1000ms exceeded', 'ECONNABORTED'),
      'TOKEN_ENDPOINT_TIMEOUT',
      'token endpoint did not answer in time',
    ],
    [
      'ETIMEDOUT',
      failure('connect ETIMEDOUT', 'ETIMEDOUT'),
      'TOKEN_ENDPOINT_TIMEOUT',
      'token endpoint did not answer in time',
    ],
    [
      "follow-redirects' body limit",
      failure('Request body larger than maxBodyLength limit', 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED'),
      'TOKEN_RESPONSE_INVALID',
      'token response is larger than 1048576 bytes',
    ],
    [
      "axios' maxContentLength message",
      failure('maxContentLength size of 1048576 exceeded', 'ERR_BAD_RESPONSE'),
      'TOKEN_RESPONSE_INVALID',
      'token response is larger than 1048576 bytes',
    ],
    [
      'a TLS alert about the client certificate',
      failure('tlsv13 alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'),
      'TOKEN_ENDPOINT_UNREACHABLE',
      'token endpoint refused the TLS connection: it requires a client certificate it trusts (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)',
    ],
    [
      'a TLS error about something else',
      failure('wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'),
      'TOKEN_ENDPOINT_UNREACHABLE',
      'token request failed (ERR_SSL_WRONG_VERSION_NUMBER)',
    ],
    [
      'a code that only ends like a TLS certificate alert',
      failure('x', 'X_ERR_SSL_BAD_CERTIFICATE'),
      'TOKEN_ENDPOINT_UNREACHABLE',
      'token request failed (X_ERR_SSL_BAD_CERTIFICATE)',
    ],
  ])('reports %s', async (_name, error, code, message) => {
    expect(await outcome(error)).toEqual({
      code,
      message,
      cause: { message: error.message, code: (error as { code: unknown }).code },
    });
  });

  it('keeps no code that is not a string, and no reason in the message', async () => {
    expect(await outcome(failure('socket hang up', 42))).toEqual({
      code: 'TOKEN_ENDPOINT_UNREACHABLE',
      message: 'token request failed',
      cause: { message: 'socket hang up', code: undefined },
    });
    const cause = (await tokenRequestError(requestToken(failing(failure('socket hang up'))))).cause as object;
    expect(Object.keys(cause)).toEqual([]);
  });

  it('reports a failure that is not an error at all', async () => {
    for (const thrown of [null, undefined, 'text', { message: 42, code: 'EPIPE' }]) {
      const { message, cause } = await outcome(thrown);
      expect({ message, cause }).toEqual(
        thrown !== null && typeof thrown === 'object'
          ? { message: 'token request failed (EPIPE)', cause: { message: 'token request failed', code: 'EPIPE' } }
          : { message: 'token request failed', cause: { message: 'token request failed', code: undefined } },
      );
    }
  });

  /** A reply that never comes: the request ends only when its signal aborts. */
  function hanging(mock: MockAdapter): void {
    mock.onPost(TOKEN_URL).reply(
      (config) =>
        new Promise((_resolve, reject) => {
          config.signal!.addEventListener!('abort', () => reject(new Error('aborted')));
        }),
    );
  }

  it('ends a request at its own deadline with TOKEN_ENDPOINT_TIMEOUT naming it', async () => {
    const { mock, settings } = setup();
    hanging(mock);
    const error = await tokenRequestError(requestToken({ ...settings, timeoutMs: 1 }));
    expect(error.code).toBe('TOKEN_ENDPOINT_TIMEOUT');
    expect(error.message).toBe('token endpoint did not answer within 1 ms');
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause).toMatchObject({ message: 'request deadline passed', code: 'ETIMEDOUT' });
  });

  /** A deadline that has already passed, or was aborted by someone, with a budget of 5 s. */
  function passed(reason: unknown) {
    return {
      signal: AbortSignal.abort(reason),
      totalMs: 5000,
      remainingMs: () => 0,
      release: () => {},
      clock: systemClock,
    };
  }

  it("ends a request at the acquisition's deadline with TOKEN_ENDPOINT_TIMEOUT naming it", async () => {
    const { mock, settings } = setup();
    hanging(mock);
    const deadline = passed(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const error = await tokenRequestError(requestToken({ ...settings, deadline }));
    expect(error.code).toBe('TOKEN_ENDPOINT_TIMEOUT');
    expect(error.message).toBe('no token within the 5000 ms token acquisition deadline');
  });

  it('reports an acquisition aborted for another reason than time as a transport failure', async () => {
    const { mock, settings } = setup();
    hanging(mock);
    const error = await tokenRequestError(requestToken({ ...settings, deadline: passed(new Error('shutdown')) }));
    expect(error.code).toBe('TOKEN_ENDPOINT_UNREACHABLE');
    expect(error.message).toBe('token request failed (ERR_CANCELED)');
  });
});
