import { inspect } from 'node:util';
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createClientAuthentication } from '../lib/client-auth';
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
