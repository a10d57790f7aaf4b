import { inspect } from 'node:util';
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createClientAuthentication } from './support/client-auth';
import { installClientCredentials, MemoryTokenStore } from '../lib';
import { resolveDPoP } from '../lib/dpop';
import { dpopScheme } from '../lib/dpop-request';
import { OAuth2Error, TokenRequestError } from '../lib/errors';
import { parseTokenResponse, requestToken, type TokenEndpointSettings } from '../lib/token-endpoint';

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
