import type { InternalAxiosRequestConfig } from 'axios';

/** axios' own test for an absolute URL (lib/helpers/isAbsoluteURL.js), scheme-relative included. */
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;

function originOf(url: string, base?: string): string | undefined {
  try {
    return new URL(url, base).origin;
  } catch {
    return undefined;
  }
}

/**
 * Decides which requests may carry the token: those to the origin of the instance's `baseURL` at
 * install time and to the listed `origins`. With neither, every request may (the instance is
 * trusted as a whole). An absolute URL to any other origin, such as a pre-signed download link or
 * a webhook, gets no token.
 */
export function createOriginPolicy(
  baseURL: string | undefined,
  origins: readonly string[],
): (config: InternalAxiosRequestConfig) => boolean {
  const allowed = new Set(origins);
  const baseOrigin = baseURL === undefined ? undefined : originOf(baseURL);
  if (baseOrigin !== undefined && baseOrigin !== 'null') allowed.add(baseOrigin);
  if (allowed.size === 0) return () => true;

  // The warm path sees the same few baseURLs again and again: remember their verdicts. The first
  // is kept in two variables, more in a Map made only when a second base shows up, so an
  // installation costs no Map until it needs one.
  let firstBase: string | undefined;
  let firstVerdict = false;
  let verdictByBase: Map<string, boolean> | undefined;
  const verdictForBase = (base: string): boolean => {
    if (base === firstBase) return firstVerdict;
    let verdict = verdictByBase?.get(base);
    if (verdict === undefined) {
      const origin = originOf(base);
      verdict = origin !== undefined && allowed.has(origin);
      if (firstBase === undefined) {
        firstBase = base;
        firstVerdict = verdict;
      } else if ((verdictByBase ??= new Map()).size < 64) verdictByBase.set(base, verdict);
    }
    return verdict;
  };

  return (config) => {
    const url = config.url ?? '';
    const base = config.baseURL;
    // Mirrors axios' buildFullPath(): the baseURL applies to relative URLs, and to absolute ones
    // when allowAbsoluteUrls is false.
    if (base && (!ABSOLUTE_URL.test(url) || config.allowAbsoluteUrls === false)) return verdictForBase(base);
    const origin = originOf(url, base || undefined);
    return origin !== undefined && allowed.has(origin);
  };
}
