import type { AxiosInstance } from 'axios';

// Install-time validation shared by the option resolvers: each failure is a TypeError that names
// the option, as users read it first when an installation is misconfigured.

/** A loopback host name, where plain `http:` is allowed (RFC 8252 §8.3 treats it as local). */
export const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Throws the TypeError for a bad value, naming where it came from (an option, a request's `tokenParameters`). */
export type Fail = (name: string, problem: string) => never;

/** Throws the TypeError for option `name`: `"name" option <problem>`. */
export function fail(name: string, problem: string): never {
  throw new TypeError(`"${name}" option ${problem}`);
}

/** An absolute URL, or a TypeError naming the option. */
export function parseUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || value === '') fail(name, 'must be a non-empty string');
  try {
    return new URL(value);
  } catch {
    return fail(name, 'must be an absolute URL');
  }
}

/** A non-empty string or undefined, or a TypeError naming the option. */
export function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') fail(name, 'must be a non-empty string');
  return value;
}

/** A string or an array of non-empty strings, as an array; or a TypeError naming the option (through `failWith`). */
export function stringList(name: string, value: unknown, failWith: Fail = fail): string[] {
  if (value === undefined) return [];
  const list: unknown[] =
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value
        : failWith(name, 'must be a string or an array of strings');
  return list.map((item) =>
    typeof item === 'string' && item !== '' ? item : failWith(name, 'must hold only non-empty strings'),
  );
}

/**
 * A finite number of at least `min`, `fallback` when absent; or a TypeError naming the option.
 * Unit-free: the option's name says whether it counts seconds, milliseconds or characters.
 */
export function numberAtLeast(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
    fail(name, `must be a finite number of at least ${min}`);
  return value;
}

/**
 * A duration in milliseconds, given as option `msName` or as its deprecated form in seconds
 * `secondsName` (converted, with its own minimum), `fallbackMs` when neither is given; or a
 * TypeError naming the option given, or both when both are.
 */
export function durationMs(
  options: Readonly<Record<string, unknown>>,
  [msName, secondsName]: readonly [msName: string, secondsName: string],
  fallbackMs: number,
  min: { ms: number; seconds: number },
): number {
  const seconds = options[secondsName];
  if (seconds === undefined) return numberAtLeast(msName, options[msName], fallbackMs, min.ms);
  if (options[msName] !== undefined)
    fail(msName, `cannot be combined with "${secondsName}", its deprecated form in seconds: give one`);
  return numberAtLeast(secondsName, seconds, 0, min.seconds) * 1000;
}

/** An http(s) URL as the token endpoint or issuer must be (RFC 6749 §3.2, RFC 8414 §2). */
export function serverUrl(name: string, value: unknown, allowHttp: boolean): URL {
  const url = parseUrl(name, value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(name, 'must be an http(s) URL');
  if (url.hash !== '') fail(name, 'must not include a fragment (RFC 6749 §3.2)');
  if (url.username !== '' || url.password !== '')
    fail(name, 'must not include credentials; use "clientId" and "clientSecret"');
  if (url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname) && !allowHttp) {
    fail(name, 'must use https: outside loopback (RFC 6749 §3.2); set "allowHttpTokenUrl" to allow http:');
  }
  return url;
}

/** Whether `value` looks like an axios instance (callable, with `request` and `interceptors`). */
export function isAxiosInstance(value: unknown): value is AxiosInstance {
  if (typeof value !== 'function') return false;
  const candidate = value as unknown as Record<string, unknown>;
  return typeof candidate['request'] === 'function' && typeof candidate['interceptors'] === 'object';
}
