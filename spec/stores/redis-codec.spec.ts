// The Redis codec alone, without Redis: every field of the TokenStore contract's tokens survives
// encode and decode, in the clear and sealed.
import { randomBytes } from 'node:crypto';
import { createCodec, FORMAT_VERSION } from '../../lib/stores/redis-codec';
import { FULL_TOKENS, MINIMAL_TOKEN } from './contract';

const REDIS_KEY = 'prefix:{axios-client-credentials:key}:p';

describe.each([
  ['in the clear', undefined],
  ['sealed with an encryptionKey', randomBytes(32)],
])('createCodec() %s', (_name, encryptionKey) => {
  const codec = createCodec(encryptionKey);

  it.each([...FULL_TOKENS, MINIMAL_TOKEN].map((t) => [t.accessToken, t] as const))(
    'decodes what it encoded, every field exactly: %s',
    (_accessToken, token) => {
      expect(codec.decode(REDIS_KEY, codec.encode(REDIS_KEY, token))).toStrictEqual(token);
    },
  );

  it('keeps only the token fields, in a fixed order, and freezes what it decodes', () => {
    const withExtra = { ...FULL_TOKENS[0]!, header: 'Bearer x' };
    const decoded = codec.decode(REDIS_KEY, codec.encode(REDIS_KEY, withExtra));
    expect(decoded).toStrictEqual(FULL_TOKENS[0]);
    expect(Object.keys(decoded!)).toEqual(['accessToken', 'tokenType', 'expiresAt', 'issuedAt', 'refreshAt', 'scope']);
    expect(Object.isFrozen(decoded)).toBe(true);
  });

  it("starts every value with the format version and the token's fingerprint prefix", () => {
    for (const token of FULL_TOKENS) {
      const value = codec.encode(REDIS_KEY, token);
      expect(value.startsWith(codec.prefixFor(token.accessToken))).toBe(true);
      expect(value.startsWith(`${FORMAT_VERSION}:`)).toBe(true);
      expect(value.startsWith(codec.prefixFor('another token'))).toBe(false);
    }
  });

  it('reads nothing from a value sealed by the other kind of codec', () => {
    const other = createCodec(encryptionKey === undefined ? randomBytes(32) : undefined);
    expect(codec.decode(REDIS_KEY, other.encode(REDIS_KEY, FULL_TOKENS[0]!))).toBeUndefined();
  });
});

describe('createCodec() sealed', () => {
  const codec = createCodec(randomBytes(32));

  it('shows no field of the token in the value', () => {
    const value = codec.encode(REDIS_KEY, FULL_TOKENS[0]!);
    expect(value).toMatch(/^v1:[A-Za-z0-9_-]{22}:s:[A-Za-z0-9_-]+$/);
    for (const field of [FULL_TOKENS[0]!.accessToken, 'invoices', 'refreshAt', 'Bearer']) {
      expect(value).not.toContain(field);
    }
  });

  it('refuses a value copied under another Redis key, and one sealed with another key', () => {
    const value = codec.encode(REDIS_KEY, FULL_TOKENS[0]!);
    expect(codec.decode(`${REDIS_KEY}-copy`, value)).toBeUndefined();
    expect(createCodec(randomBytes(32)).decode(REDIS_KEY, value)).toBeUndefined();
  });
});
