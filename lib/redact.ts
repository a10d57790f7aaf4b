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
    // axios 1.x makes every request config's headers an AxiosHeaders.
    const headers: AxiosHeaders | undefined = config?.headers;
    if (headers === undefined) continue;
    for (const name of headerNames) {
      const value: unknown = headers.get(name);
      if (typeof value === 'string' && present.some((secret) => value.includes(secret))) headers.delete(name);
    }
  }
  const seen = new Set<unknown>();
  scrubRequest(error.request, present, seen);
  scrubRequest(error.response?.request, present, seen);
}
