import axios, { AxiosError, type AxiosAdapter, type AxiosInstance } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { installClientCredentials, MemoryTokenStore } from '../lib';

const TOKEN_URL = 'https://auth.example.com/oauth/token';
const API = 'https://api.example.com';

/**
 * An API instance whose adapter records, synchronously, the Authorization header of each request,
 * and answers 401 to the tokens `rejected` names. The token endpoint issues t1, t2, ...
 */
function setup(rejected: (token: string) => boolean = () => false): {
  instance: AxiosInstance;
  sent: Array<string | undefined>;
  exchanges: () => number;
} {
  const tokenClient = axios.create();
  const tokenMock = new MockAdapter(tokenClient);
  let issued = 0;
  tokenMock
    .onPost(TOKEN_URL)
    .reply(() => [200, JSON.stringify({ access_token: `t${++issued}`, token_type: 'Bearer', expires_in: 3600 })]);
  const sent: Array<string | undefined> = [];
  const adapter: AxiosAdapter = (config) => {
    const authorization = config.headers.get('Authorization') as string | undefined;
    sent.push(authorization);
    const response = { data: 'ok', status: 200, statusText: 'OK', headers: {}, config, request: {} };
    if (authorization !== undefined && rejected(authorization.slice('Bearer '.length))) {
      const unauthorized = { ...response, status: 401, data: '' };
      return Promise.reject(new AxiosError('401', 'ERR_BAD_REQUEST', config, {}, unauthorized));
    }
    return Promise.resolve(response);
  };
  const instance = axios.create({ baseURL: API, adapter });
  installClientCredentials(instance, {
    tokenUrl: TOKEN_URL,
    clientId: 'c',
    clientSecret: 's',
    tokenClient,
    store: new MemoryTokenStore(),
  });
  return { instance, sent, exchanges: () => tokenMock.history['post']!.length };
}

describe('the request interceptor', () => {
  it('waits for the first token on its way, one exchange for a burst', async () => {
    const { instance, sent, exchanges } = setup();
    await Promise.all([instance.get('/a'), instance.get('/b'), instance.get('/c')]);
    expect(sent).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t1']);
    expect(exchanges()).toBe(1);
  });

  it('leaves a skipAuth request alone once a token is cached', async () => {
    const { instance, sent } = setup();
    await instance.get('/warm');
    await instance.get('/public', { skipAuth: true });
    expect(sent).toEqual(['Bearer t1', undefined]);
  });

  it('sees what another request interceptor changes, however it is registered', async () => {
    const { instance, sent } = setup();
    await instance.get('/warm');
    // Registered after ours, so axios runs it first: ours sees what it changed.
    instance.interceptors.request.use(
      (config) => {
        if (config.url === '/public') config.skipAuth = true;
        if (config.url === '/elsewhere') config.url = 'https://other.example.com/x';
        return config;
      },
      undefined,
      { synchronous: true },
    );
    await instance.get('/public');
    await instance.get('/elsewhere');
    await instance.get('/data');
    expect(sent).toEqual(['Bearer t1', undefined, undefined, 'Bearer t1']);
  });

  it('replays each of two requests that carried the same rejected token, once each', async () => {
    const rejected = new Set(['t1']);
    const { instance, sent, exchanges } = setup((token) => rejected.has(token));
    await instance.get('/warm');
    expect(sent).toEqual(['Bearer t1', 'Bearer t2']);
    // Both carry the cached t2, and both are told it was rejected.
    rejected.add('t2');
    await expect(Promise.all([instance.get('/a'), instance.get('/b')])).resolves.toHaveLength(2);
    expect(sent.slice(2)).toEqual(['Bearer t2', 'Bearer t2', 'Bearer t3', 'Bearer t3']);
    expect(exchanges()).toBe(3);
  });
});
