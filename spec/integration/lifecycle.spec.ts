import axios from 'axios';
import { installClientCredentials, MemoryTokenStore } from '../../lib';
import { runScript } from '../support/child-process';
import { startApiServer, startTokenServer } from '../support/loopback';

describe('installClientCredentials() lifecycle', () => {
  it('rejects an aborted request at once while the shared exchange carries on for the others', async () => {
    const tokens = await startTokenServer({ delayMs: 300 });
    const apiServer = await startApiServer((t) => tokens.issued.includes(t));
    try {
      const api = axios.create({ baseURL: apiServer.origin });
      installClientCredentials(api, {
        tokenUrl: tokens.tokenUrl,
        clientId: 'c',
        clientSecret: 's',
        store: new MemoryTokenStore(),
      });
      const controller = new AbortController();
      const aborted = api.get('/aborted', { signal: controller.signal });
      const others = Array.from({ length: 5 }, () => api.get('/other'));
      setTimeout(() => controller.abort(), 20);
      const outcome = await Promise.race([
        aborted.then(
          () => 'resolved',
          (e: unknown) => (axios.isCancel(e) ? 'canceled' : 'other error'),
        ),
        // Settles first only if the abort waited for the exchange.
        Promise.all(others).then(() => 'exchange finished first'),
      ]);
      expect(outcome).toBe('canceled');
      expect((await Promise.all(others)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(tokens.requests).toHaveLength(1);
      expect(apiServer.requests.map((r) => r.url)).toEqual(Array(5).fill('/other'));
    } finally {
      await tokens.close();
      await apiServer.close();
    }
  });

  it('lets a script that used the plugin exit by itself', async () => {
    const tokens = await startTokenServer();
    const apiServer = await startApiServer(() => true);
    try {
      const { exitCode, output } = await runScript('spec/fixtures/uses-plugin.ts', {
        TOKEN_URL: tokens.tokenUrl,
        API_URL: apiServer.origin,
      });
      // The servers keep their connections open: only the client side decides whether it can exit.
      expect({ exitCode, output }).toEqual({ exitCode: 0, output: 'done 10' });
      expect(tokens.requests).toHaveLength(1);
    } finally {
      await tokens.close();
      await apiServer.close();
    }
  });
});
