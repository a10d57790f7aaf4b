/** One challenge of a `WWW-Authenticate` header (RFC 7235 §4.1). */
export interface Challenge {
  /** The auth scheme, lower-cased (schemes are case-insensitive). */
  scheme: string;
  /** The auth-params, names lower-cased, quoted-string values unescaped. */
  params: Record<string, string>;
  /** The token68 form, when the challenge used it instead of params. */
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * Parses a `WWW-Authenticate` header value into its challenges. Several challenges may share one
 * header, separated by commas like their params, so the parser tells them apart by shape: a token
 * followed by `=` is a param, any other token starts a new challenge. Never throws; what does not
 * parse is skipped.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7235#section-4.1
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skipSpace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TCHAR.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const readQuoted = (): string => {
    let value = '';
    i++; // opening quote
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) i++;
      value += header[i];
      i++;
    }
    i++; // closing quote (or past the end)
    return value;
  };
  /** Whether a param (`token BWS "="`, not token68's trailing `=`) starts at the cursor. */
  const atParam = (): boolean => {
    const save = i;
    const name = readToken();
    skipSpace();
    const isParam = name !== '' && header[i] === '=' && !/^=*\s*(,|$)/.test(header.slice(i));
    i = save;
    return isParam;
  };

  let current: Challenge | undefined;
  while (i < n) {
    skipSpace();
    if (header[i] === ',') {
      i++;
      continue;
    }
    if (current !== undefined && atParam()) {
      const name = readToken().toLowerCase();
      skipSpace();
      i++; // "="
      skipSpace();
      const value = header[i] === '"' ? readQuoted() : readToken();
      // Own properties only, defined rather than assigned: "constructor" or "__proto__" are params too.
      if (!Object.hasOwn(current.params, name))
        Object.defineProperty(current.params, name, { value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const scheme = readToken();
    if (scheme === '') {
      i++; // not a token: skip the character
      continue;
    }
    current = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(current);
    skipSpace();
    if (i < n && header[i] !== ',' && !atParam()) {
      const start = i;
      while (i < n && TOKEN68_CHAR.test(header[i]!)) i++;
      while (i < n && header[i] === '=') i++;
      if (i > start) current.token68 = header.slice(start, i);
    }
  }
  return challenges;
}

/**
 * Whether a 401 answer says our token was rejected, so renewing it may help (RFC 6750 §3.1, RFC
 * 9449 §7.1). Without a challenge of the token's scheme, or with one that has no `error` or
 * `invalid_token`, it may; with `invalid_request`, `insufficient_scope` or `use_dpop_nonce` a new
 * token of the same configuration will not.
 *
 * @param scheme The scheme the request used, lower case. Default is `bearer`.
 */
export function bearerTokenRejected(header: unknown, scheme = 'bearer'): boolean {
  if (typeof header !== 'string') return true;
  const challenge = parseWwwAuthenticate(header).find((candidate) => candidate.scheme === scheme);
  const error = challenge?.params['error'];
  return error === undefined || error === 'invalid_token';
}

/** Whether a 401 answer asks for a DPoP proof with the server's nonce (RFC 9449 §9). */
export function dpopNonceRequested(header: unknown): boolean {
  if (typeof header !== 'string') return false;
  return parseWwwAuthenticate(header).some(
    (challenge) => challenge.scheme === 'dpop' && challenge.params['error'] === 'use_dpop_nonce',
  );
}
