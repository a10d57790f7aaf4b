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
 * It holds no timer and reads no clock on `get`: as the {@link TokenStore} contract allows, an
 * entry past its lifetime is still returned (the token manager judges freshness, so the warm path
 * reads the clock once) and is dropped when it is overwritten or deleted, or by {@link prune}.
 */
export class MemoryTokenStore implements TokenStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  /** @param options.now Clock in epoch milliseconds, for tests. Default is `Date.now`. */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  get(key: string): AccessToken | undefined {
    return this.#entries.get(key)?.token;
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

  /** Drops every entry past its lifetime. Answers how many were dropped. */
  prune(): number {
    const now = this.#now();
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.evictAt <= now) dropped += Number(this.#entries.delete(key));
    }
    return dropped;
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
  }

  /** How many entries the store holds, expired ones included until they are pruned or replaced. */
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
