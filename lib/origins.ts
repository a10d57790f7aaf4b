import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import { fail, parseUrl, stringList } from './validate';

/** axios' own test for an absolute URL (lib/helpers/isAbsoluteURL.js), scheme-relative included. */
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/** Whether `url` is a path (`/x`, not the scheme-relative `//host`): never absolute, no regex needed. */
function isPath(url: string): boolean {
  return url.charCodeAt(0) === 47 && url.charCodeAt(1) !== 47;
}

/** The origin of `url` (resolved against `base`, if given), or `undefined` when it is no URL. */
export function originOf(url: string, base?: string): string | undefined {
  try {
    return new URL(url, base).origin;
  } catch {
    // An invalid URL has no origin.
  }
  return undefined;
}

const HTTP_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:']);

/** How many distinct withheld origins are reported; past it the rest stay quiet (bounded memory). */
const MAX_REPORTED_ORIGINS = 64;

/**
 * The verdicts of one installation's origin policy. The warm path sees the same few baseURLs again
 * and again: their verdicts are remembered, the first in two fields, more in a Map made only when a
 * second base shows up; the withheld origins already reported, in a Set made on the first one. So
 * an installation costs no Map or Set until it needs one.
 */
class OriginPolicy {
  readonly #allowed: ReadonlySet<string>;
  readonly #onWithheld: (origin: string) => void;
  #reported: Set<string> | undefined;
  #firstBase: string | undefined;
  // Stryker disable next-line BooleanLiteral: read only once #firstBase is set, which sets it too
  #firstVerdict = false;
  #verdictByBase: Map<string, boolean> | undefined;

  constructor(allowed: ReadonlySet<string>, onWithheld: (origin: string) => void) {
    this.#allowed = allowed;
    this.#onWithheld = onWithheld;
  }

  mayReceiveToken(config: InternalAxiosRequestConfig): boolean {
    // Stryker disable next-line StringLiteral: no URL is a relative one; any other gives the same verdict
    const url = config.url ?? '';
    const base = config.baseURL;
    // Mirrors axios' buildFullPath(): the baseURL applies to relative URLs, and to absolute ones
    // when allowAbsoluteUrls is false.
    if (base && (isPath(url) || !ABSOLUTE_URL.test(url) || config.allowAbsoluteUrls === false))
      return this.#verdictForBase(base);
    return this.#verdictFor(originOf(url, base || undefined));
  }

  #verdictFor(origin: string | undefined): boolean {
    if (origin === undefined) return false;
    if (this.#allowed.has(origin)) return true;
    const reported = (this.#reported ??= new Set());
    if (!reported.has(origin) && reported.size < MAX_REPORTED_ORIGINS) {
      reported.add(origin);
      this.#onWithheld(origin);
    }
    return false;
  }

  #verdictForBase(base: string): boolean {
    if (base === this.#firstBase) return this.#firstVerdict;
    let verdict = this.#verdictByBase?.get(base);
    if (verdict === undefined) {
      verdict = this.#verdictFor(originOf(base));
      if (this.#firstBase === undefined) {
        this.#firstBase = base;
        this.#firstVerdict = verdict;
      } else if ((this.#verdictByBase ??= new Map()).size < 64) this.#verdictByBase.set(base, verdict);
    }
    return verdict;
  }
}

/**
 * Decides which requests may carry the token: those to the origin of the instance's `baseURL` at
 * install time and to the listed `origins`, or every request with `'*'`. An absolute URL to any
 * other origin, such as a pre-signed download link or a webhook, gets no token, and
 * `onWithheld(origin)` hears of it once per origin (the origin only: a path or query may hold a
 * signature).
 */
export function createOriginPolicy(
  baseURL: string | undefined,
  origins: readonly string[] | '*',
  onWithheld: (origin: string) => void = () => {},
): (config: InternalAxiosRequestConfig) => boolean {
  if (origins === '*') return () => true;
  const allowed = new Set(origins);
  // Stryker disable next-line ConditionalExpression: originOf(undefined) is undefined too (no URL parses)
  const baseOrigin = baseURL === undefined ? undefined : originOf(baseURL);
  // Stryker disable next-line ConditionalExpression: an undefined member is never asked for (#verdictFor)
  if (baseOrigin !== undefined && baseOrigin !== 'null') allowed.add(baseOrigin);
  const policy = new OriginPolicy(allowed, onWithheld);
  return policy.mayReceiveToken.bind(policy);
}

/** The `origins` option, normalised to origins; `'*'` for every origin. */
export function resolveOrigins(input: unknown): string[] | '*' {
  if (input === '*') return '*';
  return stringList('origins', input).map((origin) => {
    const url = parseUrl('origins', origin);
    if (!HTTP_PROTOCOLS.has(url.protocol)) fail('origins', 'must hold http(s) origins');
    return url.origin;
  });
}

/**
 * Without an absolute `baseURL` there is no origin to default to, and sending the token to every
 * host a shared instance reaches (the default axios export, a Nest `HttpService`) is how tokens
 * leak to webhooks and pre-signed URLs: the user must name the origins, or say `'*'` (RFC 6750
 * §5.3: bearer tokens go to no party that should not see them). Checked after every given option
 * is valid, since it is about the instance rather than a value.
 *
 * @throws {TypeError} naming `origins`.
 */
export function requireDestination(instance: AxiosInstance, origins: string[] | '*'): void {
  // '*' is a non-empty string: it passes as a non-empty list does.
  if (origins.length > 0 || hasAbsoluteBaseURL(instance.defaults.baseURL)) return;
  fail(
    'origins',
    'is required when the instance has no "baseURL": name the origins that may receive the token, or \'*\' for every origin',
  );
}

function hasAbsoluteBaseURL(baseURL: unknown): boolean {
  return typeof baseURL === 'string' && URL.canParse(baseURL) && HTTP_PROTOCOLS.has(new URL(baseURL).protocol);
}
