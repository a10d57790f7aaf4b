import fc from 'fast-check';
import { ClientCredentialsError } from '../lib/errors';
import { parseRetryAfter } from '../lib/retry';
import { parseTokenResponse } from '../lib/token-endpoint';
import { bearerTokenRejected, parseWwwAuthenticate } from '../lib/www-authenticate';

const context = { sentAt: 1_000_000, defaultLifetimeMs: 300_000, requestedScope: undefined };

/** Runs `fn`; answers the token, or the error after checking it is one of ours. */
function outcome<T>(fn: () => T): T | ClientCredentialsError {
  try {
    return fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ClientCredentialsError);
    return error as ClientCredentialsError;
  }
}

const validAccessToken = fc.string({ minLength: 1 });

describe('parseTokenResponse() properties', () => {
  it('throws only our typed errors for any status and any body', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.oneof(fc.string(), fc.json(), fc.anything()),
        (status, body) => {
          outcome(() => parseTokenResponse(status, body, context));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('never yields a token from a non-2xx answer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }).filter((s) => s < 200 || s > 299),
        fc.record({ access_token: validAccessToken, token_type: fc.constant('Bearer') }),
        (status, body) => {
          expect(outcome(() => parseTokenResponse(status, JSON.stringify(body), context))).toBeInstanceOf(
            ClientCredentialsError,
          );
        },
      ),
    );
  });

  it('never yields a token without a non-empty access_token string and a Bearer token_type', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (json) => {
        const result = outcome(() => parseTokenResponse(200, JSON.stringify(json), context));
        if (result instanceof ClientCredentialsError) return;
        expect(typeof json['access_token']).toBe('string');
        expect(result.accessToken).toBe(json['access_token']);
        expect(String(json['token_type']).toLowerCase()).toBe('bearer');
        expect(json['error']).toBeUndefined();
        expect(result.expiresAt).toBeGreaterThanOrEqual(context.sentAt);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never yields a token from a truncated valid response', () => {
    fc.assert(
      fc.property(validAccessToken, fc.nat({ max: 86_400 }), (accessToken, expiresIn) => {
        const body = JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn });
        for (let cut = 0; cut < body.length; cut += 1) {
          expect(outcome(() => parseTokenResponse(200, body.slice(0, cut), context))).toBeInstanceOf(
            ClientCredentialsError,
          );
        }
        expect(parseTokenResponse(200, body, context).accessToken).toBe(accessToken);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseWwwAuthenticate() properties', () => {
  const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
  const quoted = fc.string({ maxLength: 20 }).filter((s) => !/[\r\n]/.test(s));
  const param = fc.tuple(
    token,
    fc.oneof(
      token,
      quoted.map((s) => `"${s.replace(/(["\\])/g, '\\$1')}"`),
    ),
  );
  // RFC 7235 §2.1: each parameter name occurs once per challenge.
  const challenge = fc.tuple(token, fc.uniqueArray(param, { maxLength: 4, selector: ([name]) => name.toLowerCase() }));

  it('never throws, whatever the header', () => {
    fc.assert(
      fc.property(fc.string(), (header) => {
        expect(Array.isArray(parseWwwAuthenticate(header))).toBe(true);
        expect(typeof bearerTokenRejected(header)).toBe('boolean');
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads back several challenges per header, with quoted strings unescaped', () => {
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 4 }), (challenges) => {
        const header = challenges
          .map(([scheme, params]) => [scheme, params.map(([n, v]) => `${n}=${v}`).join(', ')].filter(Boolean).join(' '))
          .join(', ');
        const parsed = parseWwwAuthenticate(header);
        expect(parsed.map((c) => c.scheme)).toEqual(challenges.map(([scheme]) => scheme.toLowerCase()));
        challenges.forEach(([, params], index) => {
          for (const [name, value] of params) {
            const expected = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
            expect(parsed[index]?.params[name.toLowerCase()]).toBe(expected);
          }
        });
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('parseRetryAfter() properties', () => {
  it('answers a non-negative number of milliseconds or undefined, never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), fc.nat(), (value, now) => {
        const ms = parseRetryAfter(value, now);
        if (ms !== undefined) expect(ms).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('reads delay-seconds exactly', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e6 }), (seconds) => expect(parseRetryAfter(String(seconds), 0)).toBe(seconds * 1000)),
    );
  });
});
