import axios from 'axios';
import type Redis from 'ioredis';
import { installClientCredentials, MemoryTokenStore, type TokenStore } from '../../lib';
import { RedisTokenStore } from '../../lib/stores/redis';
import { startFaultServer, type Fault, type FaultServer } from '../support/fault-server';
import { startApiServer, type LoopbackServer } from '../support/loopback';
import { cleanUp, connect, describeWithRedis, uniquePrefix } from '../support/redis';

describe('installClientCredentials() with a token response that is not a usable credential', () => {
  let tokens: FaultServer;
  let apiServer: LoopbackServer;

  beforeAll(async () => {
    tokens = await startFaultServer();
    apiServer = await startApiServer(() => true);
  });
  afterAll(async () => {
    await tokens.close();
    await apiServer.close();
  });
  beforeEach(() => {
    tokens.requests.length = 0;
    apiServer.requests.length = 0;
  });

  const answer = (fields: Record<string, unknown>): Fault => ({
    kind: 'reply',
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token_type: 'Bearer', expires_in: 3600, ...fields }),
  });

  it.each([
    ['a CR/LF that would inject a header', answer({ access_token: 'abc\r\nX-Injected: yes' })],
    ['only whitespace', answer({ access_token: '   ' })],
    ['9000 characters', answer({ access_token: 'a'.repeat(9000) })],
  ])('refuses an access_token with %s and sends no API request', async (_name, fault) => {
    tokens.script(fault);
    const api = axios.create({ baseURL: apiServer.origin });
    installClientCredentials(api, {
      tokenUrl: tokens.tokenUrl,
      clientId: 'svc',
      clientSecret: 'validation-secret',
      store: new MemoryTokenStore(),
    });
    await expect(api.get('/data')).rejects.toMatchObject({
      name: 'TokenRequestError',
      code: 'TOKEN_RESPONSE_INVALID',
    });
    expect(tokens.requests).toHaveLength(1);
    expect(apiServer.requests).toHaveLength(0);
  });

  it('makes one exchange for 20 calls when the server says expires_in 0', async () => {
    tokens.script({ kind: 'token', expiresIn: 0 }, { kind: 'token', expiresIn: 0 });
    const api = axios.create({ baseURL: apiServer.origin });
    installClientCredentials(api, {
      tokenUrl: tokens.tokenUrl,
      clientId: 'svc',
      clientSecret: 'validation-secret',
      store: new MemoryTokenStore(),
    });
    for (let i = 0; i < 20; i += 1) expect((await api.get('/data')).status).toBe(200);
    expect(tokens.requests).toHaveLength(1);
    expect(apiServer.requests).toHaveLength(20);
  });

  describeWithRedis('with a RedisTokenStore', () => {
    let redis: Redis;
    let prefix: string;
    beforeAll(() => {
      redis = connect();
    });
    afterAll(async () => {
      await cleanUp(redis, prefix);
      await redis.quit();
    });

    it('shares a token whose expires_in is 1e308 between two installations: one exchange', async () => {
      prefix = uniquePrefix('expires-huge');
      tokens.script({ kind: 'token', expiresIn: 1e308 });
      const stores: TokenStore[] = [];
      for (let i = 0; i < 2; i += 1) {
        const store = new RedisTokenStore(redis, { keyPrefix: prefix, localCacheMs: 0 });
        stores.push(store);
        const api = axios.create({ baseURL: apiServer.origin });
        installClientCredentials(api, { tokenUrl: tokens.tokenUrl, clientId: 'svc', clientSecret: 's', store });
        expect((await api.get('/data')).status).toBe(200);
      }
      expect(tokens.requests).toHaveLength(1);
      const ttl = await redis.pttl((await redis.keys(`${prefix}*`)).find((k) => !k.endsWith(':lock'))!);
      expect(ttl).toBeGreaterThan(364 * 24 * 3600 * 1000);
      expect(ttl).toBeLessThanOrEqual(365 * 24 * 3600 * 1000);
    });
  });
});
