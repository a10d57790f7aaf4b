import type { TokenManager } from './token-manager';
import { overrideParameters, parametersId, type ResolvedTokenParameters } from './token-parameters';

/**
 * How many parameter sets besides the installation's own keep their manager. Past it the least
 * recently used one is dropped: its token stays in the store (and is found again by the same key),
 * only its in-memory judgement goes. Single flight survives it, as it runs on the store's shared
 * lock keyed by the store key, not on the manager.
 */
export const MAX_PARAMETER_SETS = 64;

/**
 * One {@link TokenManager} per distinct set of token parameters (scope, resource, audience), so
 * each set is its own cache entry with its own single flight and its own 401 renewal. The
 * installation's own set is built at install and served without a lookup: a request without
 * `tokenParameters` costs what it did before per-request parameters existed. Other sets are built
 * on first use, share the store and lock, and are bounded by {@link MAX_PARAMETER_SETS}.
 *
 * Duende's CVE-2025-26620 is what this shape prevents: tokens for different parameters were
 * cached under one key, so concurrent callers got each other's tokens. Here a set's key is the
 * cache key of its parameters, and each manager only ever exchanges its own parameters.
 */
export class TokenManagers {
  /** The installation's own parameter set's manager. */
  readonly default: TokenManager;
  readonly #base: ResolvedTokenParameters;
  readonly #baseId: string;
  readonly #create: (parameters: ResolvedTokenParameters) => TokenManager;
  /** Insertion order is recency order: a hit moves its entry to the end. Made for the first other set. */
  #others: Map<string, TokenManager> | undefined;

  constructor(base: ResolvedTokenParameters, create: (parameters: ResolvedTokenParameters) => TokenManager) {
    this.#base = base;
    this.#baseId = parametersId(base);
    this.#create = create;
    this.default = create(base);
  }

  /**
   * The manager for a request's `tokenParameters` (over the installation's); the default one when
   * there are none or they ask for the installation's own token.
   *
   * @throws {TypeError} When `tokenParameters` is invalid (the message names the parameter).
   */
  for(tokenParameters: unknown): TokenManager {
    if (tokenParameters === undefined) return this.default;
    const parameters = overrideParameters(this.#base, tokenParameters);
    const id = parametersId(parameters);
    if (id === this.#baseId) return this.default;
    const others = (this.#others ??= new Map<string, TokenManager>());
    let manager = others.get(id);
    if (manager !== undefined) {
      others.delete(id);
    } else {
      manager = this.#create(parameters);
      if (others.size >= MAX_PARAMETER_SETS) others.delete(others.keys().next().value as string);
    }
    others.set(id, manager);
    return manager;
  }
}
