import { inspect } from 'node:util';
import fc from 'fast-check';
import { ClientCredentialsError } from '../lib/errors';
import { parseRetryAfter } from '../lib/retry';
import { basicAuthorization } from '../lib/client-auth/basic';
import { redactor, sentSecrets } from '../lib/sent-secrets';
import { parseTokenResponse } from '../lib/token-endpoint';
import { MAX_TOKEN_LIFETIME_SECONDS } from '../lib/token-response';
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

/** RFC 6749 Appendix A.12: VSCHARs (%x20-7E), not only spaces. */
const validAccessToken = fc.stringMatching(/^[\x20-\x7E]{0,40}[\x21-\x7E][\x20-\x7E]{0,40}$/);

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
    // Near-valid bodies: a random dictionary almost never holds both fields, so the yielding branch
    // would go untested. Each field is missing, of any JSON type, or close to valid.
    const field = (close: fc.Arbitrary<unknown>) =>
      fc.option(fc.oneof({ arbitrary: close, weight: 4 }, { arbitrary: fc.jsonValue(), weight: 1 }), {
        nil: undefined,
      });
    const body = fc.record({
      access_token: field(
        fc.oneof({ arbitrary: validAccessToken, weight: 4 }, { arbitrary: fc.constant(''), weight: 1 }),
      ),
      token_type: field(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'DPoP', 'mac', '')),
      error: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 9 },
        { arbitrary: fc.constant('invalid_client'), weight: 1 },
      ),
      rest: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
    });
    let yielded = 0;
    fc.assert(
      fc.property(body, ({ rest, ...fields }) => {
        const json: Record<string, unknown> = { ...rest };
        for (const [name, value] of Object.entries(fields)) if (value !== undefined) json[name] = value;
        const result = outcome(() => parseTokenResponse(200, JSON.stringify(json), context));
        if (result instanceof ClientCredentialsError) return;
        yielded += 1;
        expect(typeof json['access_token']).toBe('string');
        expect(result.accessToken).toBe(json['access_token']);
        expect(String(json['token_type']).toLowerCase()).toBe('bearer');
        expect(json['error']).toBeUndefined();
        expect(result.expiresAt).toBeGreaterThanOrEqual(context.sentAt);
      }),
      { numRuns: 2_000 },
    );
    // The property was checked on tokens, not only on refusals.
    expect(yielded).toBeGreaterThan(100);
  });

  it('yields only tokens of RFC 6749 A.12 characters, within the length limit, with a finite expiry', () => {
    const anyToken = fc.oneof(fc.string({ maxLength: 40 }), validAccessToken, fc.string({ unit: 'binary' }));
    const anyExpiresIn = fc.oneof(fc.double(), fc.nat(), fc.constant(0), fc.constant(1e308), fc.string());
    fc.assert(
      fc.property(anyToken, anyExpiresIn, fc.integer({ min: 1, max: 50 }), (accessToken, expiresIn, max) => {
        const body = { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
        const result = outcome(() =>
          parseTokenResponse(200, JSON.stringify(body), { ...context, maxAccessTokenLength: max }),
        );
        if (result instanceof ClientCredentialsError) return;
        expect(result.accessToken).toMatch(/^[\x20-\x7E]*[\x21-\x7E][\x20-\x7E]*$/);
        expect(result.accessToken.length).toBeLessThanOrEqual(max);
        expect(Number.isFinite(result.expiresAt)).toBe(true);
        expect(result.expiresAt).toBeGreaterThanOrEqual(context.sentAt);
        expect(result.expiresAt).toBeLessThanOrEqual(context.sentAt + MAX_TOKEN_LIFETIME_SECONDS * 1000);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never shows the client secret or the Basic value in an OAuth2Error, however the server echoes them', () => {
    const alnum = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${min},${max}}$`));
    fc.assert(
      fc.property(
        alnum(1, 12),
        alnum(12, 40),
        fc.string(),
        fc.string(),
        fc.nat(3),
        (clientId, secret, before, after, form) => {
          const authorization = basicAuthorization(clientId, secret);
          const encoded = authorization.slice('Basic '.length);
          const echoed = [authorization, encoded, `${clientId}:${secret}`, secret][form]!;
          const redact = redactor(sentSecrets({ Authorization: authorization }, new URLSearchParams()));
          const body = { error: 'invalid_client', error_description: `${before}${echoed}${after}`, error_uri: echoed };
          const error = outcome(() => parseTokenResponse(401, JSON.stringify(body), { ...context, redact })) as Error;
          for (const view of [
            error.message,
            JSON.stringify(error),
            inspect(error, { depth: Infinity, showHidden: true }),
          ]) {
            expect(view).not.toContain(secret);
            expect(view).not.toContain(encoded);
          }
        },
      ),
      { numRuns: 1_000 },
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
