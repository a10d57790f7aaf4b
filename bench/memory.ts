/**
 * What the plugin keeps in memory, printed, not asserted:
 *
 * 1. The default store under one-shot configurations: 10,000 installations (one scope each, as
 *    per-tenant scopes are) each make one call with 1-second tokens into one MemoryTokenStore;
 *    then the tokens expire and some traffic follows (1,000 more one-shot configurations). How
 *    many of the 10,000 expired entries are still held? Target: at most 10%.
 * 2. Heap per installation over a bare `axios.create()`: many instances with and without
 *    `installClientCredentials()`, heap measured after a full GC. Target: at most 2 kB, for
 *    installations sharing one options object (resolved once); also printed: each installation
 *    with its own copy of the options (each resolved for itself).
 *
 * Run: node --expose-gc --import tsx bench/memory.ts (add --heap for part 2 alone)
 *
 * Under tsx every named function expression carries a `name` property of its own (esbuild's
 * keepNames): about 256 bytes more per closure than the built package. Per-installation functions
 * are bound methods for that reason, and the figure here is an upper bound of the built one.
 */
import axios, { type AxiosInstance } from 'axios';
import { installClientCredentials, MemoryTokenStore } from '../lib';
import { tokenResponseBody } from './support';

const ONE_SHOT = 10_000;
const LATER_TRAFFIC = 1_000;
const INSTALLATIONS = 5_000;
const TARGET_REMAINING = 0.1;
const TARGET_BYTES = 2_048;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with: node --expose-gc --import tsx bench/memory.ts');
  process.exit(1);
}

/** A token client whose every token lives `expiresIn` seconds. */
function tokenClient(expiresIn: number): AxiosInstance {
  let count = 0;
  return axios.create({
    adapter: (config) => {
      count += 1;
      return Promise.resolve({
        data: tokenResponseBody(`bench-token-${count}`, expiresIn),
        status: 200,
        statusText: 'OK',
        headers: { 'content-type': 'application/json' },
        config,
        request: {},
      });
    },
  });
}

async function oneShotKeys(): Promise<void> {
  // The store's clock runs ahead of the real one when told to: the tokens "expire" without a wait.
  let offsetMs = 0;
  const store = new MemoryTokenStore({ now: () => Date.now() + offsetMs });
  const client = tokenClient(1);
  const oneShot = async (scope: string): Promise<void> => {
    const handle = installClientCredentials(axios.create({ baseURL: 'https://api.example.com' }), {
      tokenUrl: 'https://auth.example.com/token',
      clientId: 'bench-client',
      clientSecret: 'bench-secret',
      scope,
      store,
      tokenClient: client,
    });
    await handle.getToken();
    handle.eject();
  };
  for (let i = 0; i < ONE_SHOT; i += 1) await oneShot(`tenant:${i}`);
  const held = store.size;
  offsetMs = 2_000; // every 1-second token is past its ttl
  for (let i = 0; i < LATER_TRAFFIC; i += 1) await oneShot(`later:${i}`);
  const expiredHeld = store.size - LATER_TRAFFIC;
  const share = expiredHeld / ONE_SHOT;
  console.log(`1. ${ONE_SHOT.toLocaleString('en')} one-shot keys with 1-second tokens in one MemoryTokenStore`);
  console.log(`   held after the burst: ${held.toLocaleString('en')}`);
  console.log(
    `   expired entries still held after ${LATER_TRAFFIC.toLocaleString('en')} later writes: ` +
      `${expiredHeld.toLocaleString('en')} (${(share * 100).toFixed(1)}%), store size ${store.size.toLocaleString('en')}`,
  );
  console.log(`   target ≤ ${TARGET_REMAINING * 100}%: ${share <= TARGET_REMAINING ? 'met' : 'NOT met'}`);
}

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

/** Heap used by `count` instances made by `make`, in bytes, measured after a full GC. */
function heapOf(count: number, make: () => unknown): number {
  const keep: unknown[] = new Array<unknown>(count);
  const before = heapAfterGc();
  for (let i = 0; i < count; i += 1) keep[i] = make();
  const after = heapAfterGc();
  if (keep.length !== count) throw new Error('unreachable');
  return after - before;
}

function heapPerInstallation(): void {
  const store = new MemoryTokenStore();
  const client = tokenClient(3600);
  const options = {
    tokenUrl: 'https://auth.example.com/token',
    clientId: 'bench-client',
    clientSecret: 'bench-secret',
    scope: 'invoices:read',
    store,
    tokenClient: client,
  };
  // Warm the code paths once, so compiled code and lazily built shared state are not counted.
  for (let i = 0; i < 100; i += 1)
    installClientCredentials(axios.create({ baseURL: 'https://a.example.com' }), options);
  // Shared: one options object for every installation (one instance per tenant or API client of
  // one configuration), which is resolved once. Own: a copy of the options per installation, each
  // resolved and validated for itself (one configuration per API), for comparison.
  const shared = medianPerInstallation(() => options);
  const own = medianPerInstallation(() => ({ ...options }));
  console.log(
    `2. heap per installation over a bare axios.create(), ${INSTALLATIONS.toLocaleString('en')} installations, median of 5 rounds`,
  );
  console.log(`   sharing one options object: ${format(shared)}`);
  console.log(`   target ≤ ${TARGET_BYTES / 1024} kB: ${shared.median <= TARGET_BYTES ? 'met' : 'NOT met'}`);
  console.log(`   each with its own options object: ${format(own)}`);
}

function format({ median, samples }: { median: number; samples: number[] }): string {
  return `${(median / 1024).toFixed(2)} kB (rounds: ${samples.map((s) => (s / 1024).toFixed(2)).join(', ')} kB)`;
}

function medianPerInstallation(optionsFor: () => Parameters<typeof installClientCredentials>[1]): {
  median: number;
  samples: number[];
} {
  const samples: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const bare = heapOf(INSTALLATIONS, () => axios.create({ baseURL: 'https://api.example.com' }));
    const installed = heapOf(INSTALLATIONS, () => {
      const instance = axios.create({ baseURL: 'https://api.example.com' });
      return [instance, installClientCredentials(instance, optionsFor())];
    });
    samples.push((installed - bare) / INSTALLATIONS);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, samples };
}

async function main(): Promise<void> {
  console.log(`axios-client-credentials: memory; node ${process.version}`);
  if (!process.argv.includes('--heap')) await oneShotKeys();
  heapPerInstallation();
}

void main();
