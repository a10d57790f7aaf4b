import { bearerTokenRejected, parseWwwAuthenticate } from '../lib/www-authenticate';

describe('parseWwwAuthenticate()', () => {
  it('parses a Bearer challenge with quoted params', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'example', error: 'invalid_token', error_description: 'The access token expired' },
      },
    ]);
  });

  it('tells several challenges in one header apart', () => {
    const challenges = parseWwwAuthenticate('Basic realm="a, b", Bearer error="insufficient_scope", scope="x y"');
    expect(challenges.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(challenges[0]!.params).toEqual({ realm: 'a, b' });
    expect(challenges[1]!.params).toEqual({ error: 'insufficient_scope', scope: 'x y' });
  });

  it('reads token68 and unquoted values, and unescapes quoted pairs', () => {
    expect(parseWwwAuthenticate('Negotiate abc/+==, DPoP algs=ES256 error="a\\"b"')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc/+==' },
      { scheme: 'dpop', params: { algs: 'ES256', error: 'a"b' } },
    ]);
  });

  it('skips garbage without throwing', () => {
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(() => parseWwwAuthenticate('"unterminated, ,,= =;;Bearer error="x')).not.toThrow();
    expect(parseWwwAuthenticate('Bearer error="x').find((c) => c.scheme === 'bearer')?.params['error']).toBe('x');
  });
});

describe('parseWwwAuthenticate() regressions', () => {
  // Found by the property tests: "in" saw Object.prototype, so these params were dropped.
  it('keeps params named like Object.prototype members', () => {
    const [challenge] = parseWwwAuthenticate('Bearer constructor="", __proto__=x, toString=y');
    expect(Object.entries(challenge!.params)).toEqual([
      ['constructor', ''],
      ['__proto__', 'x'],
      ['tostring', 'y'],
    ]);
  });
});

describe('bearerTokenRejected()', () => {
  it('is true without a header, without an error, and for invalid_token', () => {
    expect(bearerTokenRejected(undefined)).toBe(true);
    expect(bearerTokenRejected('Bearer realm="api"')).toBe(true);
    expect(bearerTokenRejected('Bearer error="invalid_token"')).toBe(true);
  });

  it('is false for insufficient_scope and invalid_request, where a new token cannot help', () => {
    expect(bearerTokenRejected('Bearer error="insufficient_scope"')).toBe(false);
    expect(bearerTokenRejected('Bearer error="invalid_request"')).toBe(false);
  });
});
