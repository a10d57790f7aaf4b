import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import axios, { type AxiosAdapter } from 'axios';
import { installClientCredentials, MemoryTokenStore } from '../lib';

const REQUESTS = 200_000;

/** Forces a full garbage collection: jest runs specs in a vm context, so `gc` is fetched from a fresh one. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const answer: AxiosAdapter = (config) =>
  Promise.resolve({ data: '', status: 200, statusText: 'OK', headers: {}, config, request: {} });

/** The active resources now that were not active in `before` (as multisets of type names). */
function leftOpen(before: readonly string[]): string[] {
  const remaining = [...before];
  return process.getActiveResourcesInfo().filter((type) => {
    const at = remaining.indexOf(type);
    if (at === -1) return true;
    remaining.splice(at, 1);
    return false;
  });
}

describe('installClientCredentials() soak', () => {
  it('sends 200,000 requests with one exchange, grows the heap by less than 10 MB and leaves no handle open', async () => {
    let exchanges = 0;
    const tokenClient = axios.create({
      adapter: (config) => {
        exchanges += 1;
        const data = JSON.stringify({ access_token: `soak-${exchanges}`, token_type: 'Bearer', expires_in: 3600 });
        return Promise.resolve({ data, status: 200, statusText: 'OK', headers: {}, config, request: {} });
      },
    });
    const api = axios.create({ baseURL: 'https://api.example.com', adapter: answer });
    const handle = installClientCredentials(api, {
      tokenUrl: 'https://auth.example.com/token',
      clientId: 'soak',
      clientSecret: 'soak-secret',
      store: new MemoryTokenStore(),
      tokenClient,
      onEvent: () => {},
    });
    await api.get('/warm-up');
    const handlesBefore = process.getActiveResourcesInfo();
    collect();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let sent = 0; sent < REQUESTS; sent += 100) {
      await Promise.all(Array.from({ length: 100 }, () => api.get('/x')));
    }
    collect();
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    expect(grownMb).toBeLessThan(10);
    expect(exchanges).toBe(1);
    expect(handle.stats()).toMatchObject({ exchanges: 1, cacheHits: REQUESTS, waits: 1 });
    // Settles whatever jest itself had in flight; anything left over would be ours.
    for (let i = 0; i < 10 && leftOpen(handlesBefore).length > 0; i += 1)
      await new Promise((resolve) => setImmediate(resolve));
    // Only what this run added counts: a handle jest had open before (a cache write, say) may
    // finish during the run, and that is not ours to keep.
    expect(leftOpen(handlesBefore)).toEqual([]);
    handle.eject();
    // About 20 seconds on a 2-core machine: jest's per-spec bound is too tight for it.
  }, 90_000);
});
