import axios, { AxiosHeaders, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createClientAuthentication } from './support/client-auth';
import { createResponseObserver, createUnauthorizedHandler } from '../lib/interceptors';
import { createRequestInterceptor } from '../lib/request-interceptor';
import { requestToken, type TokenEndpointSettings } from '../lib/token-endpoint';
import type { TokenManagers } from '../lib/token-managers';
import { bearerScheme, setAuthorization, type TokenScheme } from '../lib/token-scheme';
import type { AccessToken } from '../lib/types';

const TOKEN_URL = 'https://auth.example.com/oauth/token';
const API = 'https://api.example.com';

/** A scheme of its own: every step the core takes through the seam is recorded. */
function recordingScheme(overrides: Partial<TokenScheme> = {}): { scheme: TokenScheme; calls: string[] } {
  const calls: string[] = [];
  const scheme: TokenScheme = {
    cacheKeyPart: ['custom', 'k'],
    tokenType: (type) => (type.toLowerCase() === 'n_a' ? 'Bearer' : undefined),
    signTokenRequest: (headers, tokenUrl) => {
      calls.push(`sign ${tokenUrl}`);
      headers['X-Proof'] = `proof-${calls.length}`;
    },
    resendTokenRequest: (response) => {
      calls.push(`resend? ${response.status}`);
      return response.status === 400;
    },
    authorize: (config, token) => {
      calls.push(`authorize ${token.accessToken}`);
      config.headers.set('X-Token', token.accessToken);
      return false;
    },
    observe: (response) => calls.push(`observe ${response.status}`),
    retryWithSameToken: (response) => response.headers['x-again'] === 'yes',
    credentialHeaders: ['X-Token'],
    ...overrides,
  };
  return { scheme, calls };
}

function tokenSettings(scheme: TokenScheme): { mock: MockAdapter; settings: TokenEndpointSettings } {
  const client = axios.create();
  const settings: TokenEndpointSettings = {
    tokenUrl: TOKEN_URL,
    params: [],
    authenticate: createClientAuthentication('client_secret_basic', { clientId: 'svc', clientSecret: 's' }),
    client,
    timeoutMs: 1000,
    defaultLifetimeMs: 300_000,
    requestedScope: undefined,
    now: () => 1_000_000,
    scheme,
  };
  return { mock: new MockAdapter(client), settings };
}

const token: AccessToken = Object.freeze({ accessToken: 't1', tokenType: 'Bearer', issuedAt: 0, expiresAt: 1e15 });

/** An API instance with the interceptors wired to `scheme`, its one token always at hand. */
function api(scheme: TokenScheme): { instance: AxiosInstance; mock: MockAdapter; invalidated: string[] } {
  const instance = axios.create({ baseURL: API });
  const invalidated: string[] = [];
  const manager = {
    acquire: () => token,
    invalidate: (rejected: string) => {
      invalidated.push(rejected);
      return Promise.resolve();
    },
  };
  const managers = { default: manager, for: () => manager } as unknown as TokenManagers;
  instance.interceptors.request.use(createRequestInterceptor(managers, () => true, scheme));
  instance.interceptors.response.use(createResponseObserver(scheme), createUnauthorizedHandler(instance, { scheme }));
  return { instance, mock: new MockAdapter(instance), invalidated };
}

describe('the token scheme seam', () => {
  it('is what the token endpoint asks for headers, one resend and the token type', async () => {
    const { scheme, calls } = recordingScheme();
    const { mock, settings } = tokenSettings(scheme);
    mock
      .onPost(TOKEN_URL)
      .replyOnce(400, '{"error":"try_again"}')
      .onPost(TOKEN_URL)
      .replyOnce(200, '{"access_token":"a","token_type":"N_A","expires_in":60}');
    const issued = await requestToken(settings);
    expect(issued.tokenType).toBe('Bearer');
    expect(mock.history['post']!.map((sent) => sent.headers!['X-Proof'])).toEqual(['proof-1', 'proof-3']);
    // At most one resend: the second answer is parsed, whatever the scheme would say of it.
    expect(calls).toEqual([`sign ${TOKEN_URL}`, 'resend? 400', `sign ${TOKEN_URL}`]);
  });

  it('lets the token endpoint refuse a token_type the scheme cannot use', async () => {
    const { mock, settings } = tokenSettings(recordingScheme().scheme);
    mock.onPost(TOKEN_URL).reply(200, '{"access_token":"a","token_type":"Bearer","expires_in":60}');
    await expect(requestToken(settings)).rejects.toMatchObject({
      code: 'TOKEN_RESPONSE_INVALID',
      message: 'token response has unsupported "token_type" "Bearer"',
    });
  });

  it('is what the request interceptor asks to authorize a request', async () => {
    const { scheme, calls } = recordingScheme();
    const { mock, instance } = api(scheme);
    mock
      .onGet('/data')
      .reply((config) => [200, { token: config.headers?.['X-Token'], auth: config.headers?.['Authorization'] }]);
    const { data } = await instance.get<{ token: string; auth?: string }>('/data');
    expect(data).toEqual({ token: 't1' });
    expect(calls).toEqual(['authorize t1', 'observe 200']);
  });

  it('is what the response interceptor asks to retry a 401 with the same token, once', async () => {
    const { scheme, calls } = recordingScheme();
    const { mock, instance, invalidated } = api(scheme);
    mock.onGet('/data').replyOnce(401, '', { 'x-again': 'yes' }).onGet('/data').replyOnce(200, 'ok');
    await expect(instance.get('/data')).resolves.toMatchObject({ data: 'ok' });
    expect(calls).toEqual(['authorize t1', 'observe 401', 'authorize t1', 'observe 200']);
    // The same token went again: nothing was dropped.
    expect(invalidated).toEqual([]);
  });

  it('redacts the headers the scheme names from the error the caller gets', async () => {
    const { scheme } = recordingScheme({ retryWithSameToken: () => false });
    const { mock, instance } = api(scheme);
    mock.onGet('/data').reply(500);
    const error = (await instance.get('/data').catch((e: unknown) => e)) as { config: InternalAxiosRequestConfig };
    expect(error.config.headers.has('X-Token')).toBe(false);
  });
});

describe('bearerScheme()', () => {
  it('accepts a token_type of Bearer in any case and nothing else', () => {
    const scheme = bearerScheme();
    expect(['Bearer', 'bearer', 'BEARER', 'DPoP', 'mac'].map((type) => scheme.tokenType(type))).toEqual([
      'Bearer',
      'Bearer',
      'Bearer',
      undefined,
      undefined,
    ]);
  });

  it('adds nothing to the cache key or the token request, and never retries with the same token', () => {
    const scheme = bearerScheme();
    const headers: Record<string, string> = {};
    scheme.signTokenRequest(headers, TOKEN_URL);
    expect(headers).toEqual({});
    expect(scheme.cacheKeyPart).toBeUndefined();
    expect(scheme.observe).toBeUndefined();
    const unauthorized = { status: 401, headers: { 'www-authenticate': 'Bearer' } } as unknown as AxiosResponse;
    expect(scheme.resendTokenRequest(unauthorized, TOKEN_URL)).toBe(false);
    expect(scheme.retryWithSameToken(unauthorized, token)).toBe(false);
  });
});

describe('setAuthorization()', () => {
  const headersOf = (init: Record<string, unknown>): InternalAxiosRequestConfig['headers'] =>
    new AxiosHeaders(init as Record<string, string>);

  it('sets the header on AxiosHeaders and says no header was there', () => {
    const headers = headersOf({ Accept: 'application/json' });
    expect(setAuthorization(headers, 'Bearer t')).toBe(false);
    expect(headers.get('Authorization')).toBe('Bearer t');
    expect(headers.toJSON()).toEqual({ Accept: 'application/json', Authorization: 'Bearer t' });
  });

  it('replaces a header of any spelling in place and says so, as AxiosHeaders#set does', () => {
    for (const name of ['Authorization', 'authorization', 'AUTHORIZATION']) {
      const headers = headersOf({ [name]: 'Basic old' });
      expect(setAuthorization(headers, 'Bearer t')).toBe(true);
      expect(headers.toJSON()).toEqual({ [name]: 'Bearer t' });
    }
  });

  it('works on a plain headers object too', () => {
    const headers = { authorization: 'Basic old', Accept: 'x' } as unknown as InternalAxiosRequestConfig['headers'];
    expect(setAuthorization(headers, 'Bearer t')).toBe(true);
    expect(headers).toEqual({ authorization: 'Bearer t', Accept: 'x' });
  });

  it('keeps a header set to false, which axios never sends, and says one was there', () => {
    const headers = headersOf({});
    headers.set('authorization', false);
    expect(setAuthorization(headers, 'Bearer t')).toBe(true);
    expect(headers.toJSON()).toEqual({});
  });

  it('treats a header set to undefined as absent', () => {
    const headers = headersOf({});
    headers.set('authorization', undefined);
    expect(setAuthorization(headers, 'Bearer t')).toBe(false);
    expect(headers.get('Authorization')).toBe('Bearer t');
  });
});
