import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { installClientCredentials, resetDefaultTokenStore } from '../../lib';

const TOKEN_URL = 'https://auth.example.com/oauth/token';

/** An application module as tests meet it: installed once, on the default store, at import time. */
function createApp() {
  const tokenClient = axios.create();
  const issued: string[] = [];
  new MockAdapter(tokenClient).onPost(TOKEN_URL).reply(() => {
    issued.push(`t${issued.length + 1}`);
    return [200, JSON.stringify({ access_token: issued.at(-1), token_type: 'Bearer', expires_in: 3600 })];
  });
  const api = axios.create({ baseURL: 'https://api.example.com' });
  const seen: Array<string | undefined> = [];
  new MockAdapter(api).onAny().reply((config) => {
    seen.push(config.headers?.['Authorization'] as string | undefined);
    return [200, {}];
  });
  installClientCredentials(api, { tokenUrl: TOKEN_URL, clientId: 'default-store', clientSecret: 's', tokenClient });
  return { api, issued, seen };
}

describe('resetDefaultTokenStore()', () => {
  it('empties the process-wide default store, so the next request makes a new exchange', async () => {
    const app = createApp();
    await app.api.get('/a');
    await app.api.get('/b');
    resetDefaultTokenStore();
    await app.api.get('/c');
    expect(app.issued).toEqual(['t1', 't2']);
    expect(app.seen).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t2']);
  });

  it('keeps a token cached by one test away from the next installation with equal settings', async () => {
    const first = createApp();
    await first.api.get('/a');
    resetDefaultTokenStore();
    const second = createApp();
    await second.api.get('/a');
    expect(second.issued).toEqual(['t1']);
    expect(second.seen).toEqual(['Bearer t1']);
  });

  it('does nothing before any installation used the default store', () => {
    jest.isolateModules(() => {
      const fresh = require('../../lib') as typeof import('../../lib');
      expect(() => fresh.resetDefaultTokenStore()).not.toThrow();
    });
  });
});
