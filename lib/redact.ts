import type { AxiosError, AxiosHeaders } from 'axios';

/** What stands where a token or proof was. */
const REDACTED = '[redacted]';

type Bag = Record<string | symbol, unknown>;

const isObject = (value: unknown): value is Bag => typeof value === 'object' && value !== null;

function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** A plain header map (follow-redirects' `_options.headers`, Node's `kOutHeaders` entries). */
function scrubHeaderMap(headers: unknown, secrets: readonly string[]): void {
  if (!isObject(headers)) return;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (typeof value === 'string') headers[name] = scrubText(value, secrets);
    // Node keeps [name, value] pairs under kOutHeaders.
    else if (Array.isArray(value)) value.forEach((v, i) => typeof v === 'string' && (value[i] = scrubText(v, secrets)));
  }
}

/**
 * A sent request as the error holds it: Node's `ClientRequest` keeps the header block it wrote
 * (`_header`) and the header map (`kOutHeaders`); follow-redirects' wrapper keeps its options'
 * headers and the current `ClientRequest`. All were sent already: rewriting them changes nothing
 * on the wire.
 */
function scrubRequest(request: unknown, secrets: readonly string[], seen: Set<unknown>): void {
  if (!isObject(request) || seen.has(request)) return;
  seen.add(request);
  if (typeof request['_header'] === 'string') request['_header'] = scrubText(request['_header'], secrets);
  for (const symbol of Object.getOwnPropertySymbols(request)) {
    if (symbol.description === 'kOutHeaders') scrubHeaderMap(request[symbol], secrets);
  }
  const options = request['_options'];
  if (isObject(options)) scrubHeaderMap(options['headers'], secrets);
  scrubRequest(request['_currentRequest'], secrets, seen);
  scrubRequest(request['_redirectable'], secrets, seen);
}

/**
 * Takes our token and DPoP proof out of an API request's error before the caller sees it, so
 * logging a caught axios error (the usual way tokens reach log stores) shows neither: not in
 * `util.inspect`, `JSON.stringify`, `toJSON()` or `config.headers`. golang.org/x/oauth2's errors
 * carry no headers at all; here the credential headers are dropped from the config (our request
 * interceptor attaches a fresh token to every pass, so retrying `error.config` through the instance
 * still works) and blanked in the sent-request objects. Only the error path pays for this.
 *
 * @param error The AxiosError of a request that carried `secrets`.
 * @param secrets The access token and the proof the request carried.
 * @param headerNames The headers that carried them: Authorization (RFC 6750 §2.1) and the token
 *   scheme's own, such as DPoP's proof (RFC 9449 §7.1).
 */
export function redactCredentials(error: AxiosError, secrets: readonly string[], headerNames: readonly string[]): void {
  const present = secrets.filter((secret) => secret !== '');
  if (present.length === 0) return;
  for (const config of new Set([error.config, error.response?.config])) {
    dropCredentialHeaders(config?.headers, headerNames, present);
  }
  const seen = new Set<unknown>();
  scrubRequest(error.request, present, seen);
  scrubRequest(error.response?.request, present, seen);
}

/**
 * A header's value, the name matched in any case: from an `AxiosHeaders`, or from a plain object,
 * as a hand-made error (a custom adapter's, a test double's) may hold a copied config's headers.
 */
export function headerValue(headers: unknown, name: string): unknown {
  if (!isObject(headers)) return undefined;
  if (typeof headers['get'] === 'function') return (headers as unknown as AxiosHeaders).get(name);
  const wanted = name.toLowerCase();
  let value: unknown;
  for (const key of Object.keys(headers)) if (key.toLowerCase() === wanted) value = headers[key];
  return value;
}

/** Deletes the headers of `names` (any case) whose value carries one of `secrets`. */
function dropCredentialHeaders(headers: unknown, names: readonly string[], secrets: readonly string[]): void {
  if (!isObject(headers)) return;
  const carries = (value: unknown): boolean => typeof value === 'string' && secrets.some((s) => value.includes(s));
  if (typeof headers['get'] === 'function') {
    // axios 1.x makes every request config's headers an AxiosHeaders.
    const axiosHeaders = headers as unknown as AxiosHeaders;
    for (const name of names) if (carries(axiosHeaders.get(name))) axiosHeaders.delete(name);
    return;
  }
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  for (const key of Object.keys(headers))
    if (wanted.has(key.toLowerCase()) && carries(headers[key])) delete headers[key];
}
