/**
 * The soak, printed, not asserted (issue 11): 200,000 warm requests through one installation, in
 * batches of 100 concurrent calls, with a network-free API and token endpoint. Prints the heap
 * growth after a full GC (target < 10 MB), the exchanges and cache hits (target 1 and 200,000),
 * and the handles the run left open (target none). spec/soak.spec.ts asserts the behaviour behind
 * these figures in a short run: no per-request state outlives its request.
 *
 * Run: npm run bench:soak (node --expose-gc --import tsx bench/soak.ts [REQUESTS])
 */
import axios from 'axios';
import { installClientCredentials, MemoryTokenStore } from '../lib';
import { inMemoryTokenEndpoint, instantAdapter } from './support';
import { leftOpen } from '../spec/support/resources';

const REQUESTS = Number(process.argv[2] ?? 200_000);
const BATCH = 100;
const TARGET_MB = 10;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with: node --expose-gc --import tsx bench/soak.ts');
  process.exit(1);
}

async function main(): Promise<void> {
  const endpoint = inMemoryTokenEndpoint();
  const api = axios.create({ baseURL: 'https://api.example.com', adapter: instantAdapter });
  const handle = installClientCredentials(api, {
    tokenUrl: 'https://auth.example.com/token',
    clientId: 'soak',
    clientSecret: 'soak-secret',
    store: new MemoryTokenStore(),
    tokenClient: axios.create({ adapter: endpoint.adapter }),
    onEvent: () => {},
  });
  await api.get('/warm-up');
  const handlesBefore = process.getActiveResourcesInfo();
  gc!();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  for (let sent = 0; sent < REQUESTS; sent += BATCH) {
    await Promise.all(Array.from({ length: BATCH }, () => api.get('/x')));
  }
  const seconds = (performance.now() - start) / 1000;
  gc!();
  const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  // Settles what the loader had in flight (tsx writes its compile cache); what is left is ours.
  for (let i = 0; i < 10 && leftOpen(handlesBefore).length > 0; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  const open = leftOpen(handlesBefore);
  const stats = handle.stats();
  handle.eject();

  console.log(`axios-client-credentials: soak; node ${process.version}`);
  console.log(`${REQUESTS.toLocaleString('en')} warm requests in batches of ${BATCH}, ${seconds.toFixed(1)} s`);
  console.log(
    `heap growth after a full GC: ${grownMb.toFixed(2)} MB (target < ${TARGET_MB} MB: ${grownMb < TARGET_MB ? 'met' : 'NOT met'})`,
  );
  console.log(
    `exchanges: ${endpoint.exchanges()}, cache hits: ${stats.cacheHits.toLocaleString('en')} (target 1 and ${REQUESTS.toLocaleString('en')})`,
  );
  console.log(`handles left open: ${open.length === 0 ? 'none' : open.join(', ')} (target none)`);
}

void main();
