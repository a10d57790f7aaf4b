import { debuglog } from 'node:util';

/** The one debug section: `NODE_DEBUG=axios-client-credentials`, or `DEBUG=axios-client-credentials`. */
export const DEBUG_NAMESPACE = 'axios-client-credentials';

/** Writes one line of debug output. */
export type LogWriter = (line: string) => void;

/**
 * Whether a `DEBUG` value (the `debug` package's convention: names separated by commas or spaces,
 * `*` as a wildcard, a leading `-` to exclude) enables our namespace. Kept so that apps that
 * enabled our output through the `debug` package keep it.
 */
export function debugEnvEnables(value: string | undefined): boolean {
  if (value === undefined) return false;
  let enabled = false;
  for (const pattern of value.split(/[\s,]+/)) {
    if (pattern === '') continue;
    const exclude = pattern.startsWith('-');
    const glob = exclude ? pattern.slice(1) : pattern;
    const source = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    if (!new RegExp(`^${source}$`).test(DEBUG_NAMESPACE)) continue;
    if (exclude) return false;
    enabled = true;
  }
  return enabled;
}

/**
 * Where debug lines go, decided once per installation: Node's `util.debuglog` when `NODE_DEBUG`
 * names our section, stderr when `DEBUG` does, else nowhere (undefined: nothing is formatted).
 */
export function defaultLogWriter(): LogWriter | undefined {
  const nodeDebug = debuglog(DEBUG_NAMESPACE);
  if (nodeDebug.enabled) return (line) => nodeDebug('%s', line);
  if (debugEnvEnables(process.env['DEBUG'])) {
    return (line) => void process.stderr.write(`${new Date().toISOString()} ${DEBUG_NAMESPACE} ${line}\n`);
  }
  return undefined;
}

export function formatValue(value: unknown): string {
  const text = typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/**
 * One event as a logfmt line (`type=exchange_succeeded name=… attempts=1 durationMs=12.3`), an
 * error flattened to `error=OAuth2Error code=invalid_client status=401`; undefined fields left out.
 */
export function formatEvent(event: object): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined) continue;
    if (key === 'error' && typeof value === 'object' && value !== null) {
      const { name, code, status } = value as Record<string, unknown>;
      parts.push(`error=${formatValue(name)}`);
      if (code !== undefined) parts.push(`code=${formatValue(code)}`);
      if (status !== undefined) parts.push(`status=${formatValue(status)}`);
    } else {
      parts.push(`${key}=${formatValue(value)}`);
    }
  }
  return parts.join(' ');
}
