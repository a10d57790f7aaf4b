import type { AccessToken, TokenStore } from '../types';

interface Entry {
  token: AccessToken;
  /** Epoch milliseconds after which the entry is gone. */
  evictAt: number;
}

/**
 * A {@link TokenStore} in this process's memory. `get` answers synchronously, so a warm request
 * costs one `Map` lookup. By default every installation in the process shares one instance.
 *
 * It holds no timer: expired entries are dropped when they are read or overwritten.
 */
export class MemoryTokenStore implements TokenStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  /** @param options.now Clock in epoch milliseconds, for tests. Default is `Date.now`. */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  get(key: string): AccessToken | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.evictAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  set(key: string, token: AccessToken, ttlMs: number): void {
    this.#entries.set(key, { token, evictAt: this.#now() + Math.max(0, ttlMs) });
  }

  delete(key: string, accessToken?: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    if (accessToken !== undefined && entry.token.accessToken !== accessToken) return false;
    return this.#entries.delete(key);
  }

  /** How many entries the store holds, expired ones included until they are read. */
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
