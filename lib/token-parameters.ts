import { stringList, type Fail } from './validate';

/**
 * The token request parameters that choose which token the token endpoint hands out: `scope`
 * (RFC 6749 §3.3), `resource` (RFC 8707 §2) and `audience`. The installation's options give the
 * defaults; a request's `tokenParameters` overrides any of them for that request.
 */
export interface TokenParameters {
  /** The scope to request instead of the installation's: a space-delimited string or scope tokens. Default is the installation's `scope`. */
  scope?: string | readonly string[] | undefined;
  /** Resource indicators (absolute URIs, RFC 8707) instead of the installation's. Default is the installation's `resource`. */
  resource?: string | readonly string[] | undefined;
  /** The `audience` parameter instead of the installation's. Default is the installation's `audience`. */
  audience?: string | undefined;
}

/** A parameter set after validation: scopes and resources de-duplicated, in the order given. */
export interface ResolvedTokenParameters {
  scopes: string[];
  resources: string[];
  audience: string | undefined;
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

const KNOWN = new Set(['scope', 'resource', 'audience']);

/** Scope tokens from a space-delimited string or an array, each checked against RFC 6749 §3.3. */
export function parseScopes(name: string, value: unknown, fail: Fail): string[] {
  const scopes = typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : stringList(name, value, fail);
  for (const scope of scopes)
    if (!SCOPE_TOKEN.test(scope)) fail(name, 'holds a scope token with characters RFC 6749 §3.3 does not allow');
  return [...new Set(scopes)];
}

/** Resource indicators, each an absolute URI without a fragment (RFC 8707 §2). */
export function parseResources(name: string, value: unknown, fail: Fail): string[] {
  const resources = stringList(name, value, fail);
  for (const resource of resources) {
    let url: URL;
    try {
      url = new URL(resource);
    } catch {
      return fail(name, 'must hold absolute URIs');
    }
    if (url.hash !== '') fail(name, 'must not include a fragment (RFC 8707 §2)');
  }
  return [...new Set(resources)];
}

const requestFail: Fail = (name, problem) => {
  throw new TypeError(`"tokenParameters.${name}" ${problem}`);
};

/**
 * A request's `tokenParameters` over the installation's: each one given replaces the
 * installation's, each one left out (or `undefined`) keeps it.
 *
 * @throws {TypeError} naming the bad parameter (`"tokenParameters.scope" …`).
 */
export function overrideParameters(base: ResolvedTokenParameters, input: unknown): ResolvedTokenParameters {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new TypeError('"tokenParameters" must be an object');
  const given = input as Record<string, unknown>;
  for (const name of Object.keys(given))
    if (!KNOWN.has(name)) throw new TypeError(`"tokenParameters" has unknown parameter "${name}"`);
  const audience = given['audience'];
  if (audience !== undefined && (typeof audience !== 'string' || audience === ''))
    requestFail('audience', 'must be a non-empty string');
  return {
    scopes: given['scope'] === undefined ? base.scopes : parseScopes('scope', given['scope'], requestFail),
    resources:
      given['resource'] === undefined ? base.resources : parseResources('resource', given['resource'], requestFail),
    audience: audience === undefined ? base.audience : audience,
  };
}

/**
 * A canonical name of a parameter set: equal for sets that ask for the same token (order and
 * repeats of scopes and resources do not matter, as they do not in the cache key).
 */
export function parametersId(parameters: ResolvedTokenParameters): string {
  return JSON.stringify([[...parameters.scopes].sort(), [...parameters.resources].sort(), parameters.audience ?? null]);
}
