import type { AccessToken, TokenStore } from '../types';

interface Entry {
  token: AccessToken;
  /** Epoch milliseconds after which the entry is gone. */
  evictAt: number;
}

/** The default {@link MemoryTokenStore} bound: 10,000 entries, about 17 MB at 1.7 kB each. */
export const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * A sweep for expired entries runs at most once per this fraction of the store's size in writes,
 * so its cost, amortised, is a bounded number of entry checks per write.
 */
const SWEEP_EVERY_FRACTION = 1 / 16;
const SWEEP_MIN_WRITES = 16;

/** Options of {@link MemoryTokenStore}. */
export interface MemoryTokenStoreOptions {
  /** Clock in epoch milliseconds, for tests. Default is `Date.now`. */
  now?: () => number;
  /**
   * The most entries the store holds; a write past it drops expired entries, then the least
   * recently used (read or written) ones. Default is 10,000.
   */
  maxEntries?: number;
}

/**
 * A {@link TokenStore} in this process's memory. `get` answers synchronously, so a warm request
 * costs one `Map` lookup. By default every installation in the process shares one instance.
 *
 * Memory stays bounded without a timer: `get` reads no clock (the token manager judges
 * freshness), while writes sweep out expired entries now and then (amortised: a bounded number of
 * checks per write, and only once something has expired) and past `maxEntries` drop the least
 * recently used entry. {@link prune} sweeps at once.
 */
export class MemoryTokenStore implements TokenStore {
  /** In least-recently-used-first order: a use moves an entry to the end. */
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  /** The key used last: using it again needs no reordering (the single-key warm path). */
  #newest: string | undefined;
  /** The earliest `evictAt` written since the last sweep: before it, a sweep finds nothing. */
  #sweepAt = Infinity;
  #writesSinceSweep = 0;

  /**
   * @param options See {@link MemoryTokenStoreOptions}.
   * @throws {TypeError} When `maxEntries` is not a positive integer.
   */
  constructor(options: MemoryTokenStoreOptions = {}) {
    const { now = Date.now, maxEntries = DEFAULT_MAX_ENTRIES } = options;
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new TypeError('"maxEntries" option must be a positive integer');
    this.#now = now;
    this.#maxEntries = maxEntries;
  }

  get(key: string): AccessToken | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (key !== this.#newest) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = key;
    }
    return entry.token;
  }

  set(key: string, token: AccessToken, ttlMs: number): void {
    const now = this.#now();
    const evictAt = now + Math.max(0, ttlMs);
    this.#entries.delete(key);
    this.#entries.set(key, { token, evictAt });
    this.#newest = key;
    this.#writesSinceSweep += 1;
    const size = this.#entries.size;
    if (
      now >= this.#sweepAt &&
      (size > this.#maxEntries || this.#writesSinceSweep >= Math.max(SWEEP_MIN_WRITES, size * SWEEP_EVERY_FRACTION))
    ) {
      this.#sweep(now);
    }
    if (evictAt < this.#sweepAt) this.#sweepAt = evictAt;
    // Past the bound: the least recently used go first (the Map's first keys).
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string, accessToken?: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    if (accessToken !== undefined && entry.token.accessToken !== accessToken) return false;
    if (key === this.#newest) this.#newest = undefined;
    return this.#entries.delete(key);
  }

  /** Drops every entry past its lifetime. Answers how many were dropped. */
  prune(): number {
    return this.#sweep(this.#now());
  }

  #sweep(now: number): number {
    let dropped = 0;
    let next = Infinity;
    for (const [key, entry] of this.#entries) {
      if (entry.evictAt <= now) {
        this.#entries.delete(key);
        if (key === this.#newest) this.#newest = undefined;
        dropped += 1;
      } else if (entry.evictAt < next) next = entry.evictAt;
    }
    this.#sweepAt = next;
    this.#writesSinceSweep = 0;
    return dropped;
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
  }

  /** How many entries the store holds, expired ones included until a sweep drops them. */
  get size(): number {
    return this.#entries.size;
  }
}

let processWideStore: MemoryTokenStore | undefined;

/** The store installations use when they are given none: one per process. */
export function defaultTokenStore(): MemoryTokenStore {
  processWideStore ??= new MemoryTokenStore();
  return processWideStore;
}

/**
 * Empties the process-wide default store that installations without a `store` option share, so a
 * token cached by one test is not used by the next. Installations keep working: their next request
 * makes a new exchange. For tests (e.g. in `beforeEach`); a no-op before any installation used it.
 */
export function resetDefaultTokenStore(): void {
  processWideStore?.clear();
}
