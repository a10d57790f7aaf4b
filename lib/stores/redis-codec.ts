import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { AccessToken } from '../types';

/**
 * The format version every value starts with. A value of another version (written by a newer or
 * older release) is treated as absent and overwritten by the next exchange, never misread.
 */
export const FORMAT_VERSION = 'v1';

/**
 * How tokens are written to and read from Redis. A value reads
 * `v1:<fingerprint>:p:<JSON>` in the clear, or `v1:<fingerprint>:s:<base64url(iv, ciphertext, tag)>`
 * when sealed. The fingerprint identifies the access token without revealing it, so that
 * compare-and-delete can run inside Redis (a Lua script matches the value's prefix) even when the
 * token itself is sealed.
 */
export interface TokenCodec {
  /** Whether values are sealed with AES-256-GCM. */
  readonly sealed: boolean;
  /**
   * Names the key values are sealed with, for the Redis key: `p` in the clear, else `k` and 16
   * characters of an HKDF of the key (one-way: it reveals nothing about the key).
   */
  readonly keyId: string;
  /** The prefix of any value that holds `accessToken`: the format version and its fingerprint. */
  prefixFor(accessToken: string): string;
  /** The value to store under `redisKey`. */
  encode(redisKey: string, token: AccessToken): string;
  /** The token in `value`, or `undefined` when it cannot be read: another version, corrupt, or sealed with another key. */
  decode(redisKey: string, value: string): AccessToken | undefined;
}

/**
 * The 32-byte AES-256 key from a `Buffer`/`Uint8Array` or a base64 (or base64url) string.
 *
 * @throws {TypeError} When it is not 32 bytes. The message never shows the key.
 */
export function parseEncryptionKey(value: unknown): Buffer {
  let key: Buffer | undefined;
  if (value instanceof Uint8Array) key = Buffer.from(value);
  else if (typeof value === 'string' && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value.trim())) {
    key = Buffer.from(value.trim(), 'base64');
  }
  if (key?.length !== 32) {
    throw new TypeError('"encryptionKey" option must be 32 bytes, as a Buffer or a base64 string');
  }
  return key;
}

function isToken(value: unknown): value is AccessToken {
  if (typeof value !== 'object' || value === null) return false;
  const token = value as Record<string, unknown>;
  return (
    typeof token['accessToken'] === 'string' &&
    token['accessToken'] !== '' &&
    typeof token['tokenType'] === 'string' &&
    Number.isFinite(token['expiresAt']) &&
    Number.isFinite(token['issuedAt']) &&
    (token['scope'] === undefined || typeof token['scope'] === 'string') &&
    (token['refreshAt'] === undefined || Number.isFinite(token['refreshAt']))
  );
}

/** The token's own fields only, in a fixed order; the optional ones only when set. */
function pick(token: AccessToken): AccessToken {
  const { accessToken, tokenType, expiresAt, issuedAt, refreshAt, scope } = token;
  return {
    accessToken,
    tokenType,
    expiresAt,
    issuedAt,
    ...(refreshAt === undefined ? {} : { refreshAt }),
    ...(scope === undefined ? {} : { scope }),
  };
}

function toJson(token: AccessToken): string {
  return JSON.stringify(pick(token));
}

function fromJson(json: string): AccessToken | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    return isToken(parsed) ? Object.freeze(pick(parsed)) : undefined;
  } catch {
    return undefined;
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 256-bit key for one purpose, derived from the user's key with HKDF-SHA-256 (RFC 5869). */
function derive(encryptionKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), `axios-client-credentials ${purpose}`, 32));
}

/** The format version and the Redis key, authenticated with every sealed value. */
function aad(redisKey: string): Buffer {
  return Buffer.from(`${FORMAT_VERSION}\n${redisKey}`);
}

function seal(key: Buffer, redisKey: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(redisKey));
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString(
    'base64url',
  );
}

function open(key: Buffer, redisKey: string, sealed: string): string | undefined {
  const body = Buffer.from(sealed, 'base64url');
  if (body.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(redisKey));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    const ciphertext = body.subarray(IV_BYTES, body.length - TAG_BYTES);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * A codec in the clear (no key) or sealing with AES-256-GCM (NIST SP 800-38D) under a key derived
 * from `encryptionKey`, with a random 96-bit IV per value. The Redis key and format version are
 * authenticated data, so a value copied under another key fails to open. The fingerprint is an
 * HMAC-SHA-256 of the token under a second derived key when sealing (so the value reveals nothing
 * about the token), a SHA-256 in the clear.
 */
export function createCodec(encryptionKey: Buffer | undefined): TokenCodec {
  const sealKey = encryptionKey && derive(encryptionKey, 'redis value v1');
  const fingerprintKey = encryptionKey && derive(encryptionKey, 'redis fingerprint v1');
  const fingerprint = (accessToken: string): string =>
    (fingerprintKey ? createHmac('sha256', fingerprintKey) : createHash('sha256'))
      .update(accessToken)
      .digest('base64url')
      .slice(0, 22);
  const kind = sealKey ? 's' : 'p';
  const keyId = encryptionKey ? `k${derive(encryptionKey, 'redis key id v1').toString('base64url').slice(0, 16)}` : 'p';
  return {
    sealed: sealKey !== undefined,
    keyId,
    prefixFor: (accessToken) => `${FORMAT_VERSION}:${fingerprint(accessToken)}:`,
    encode: (redisKey, token) => {
      const json = toJson(token);
      const body = sealKey ? seal(sealKey, redisKey, json) : json;
      return `${FORMAT_VERSION}:${fingerprint(token.accessToken)}:${kind}:${body}`;
    },
    decode: (redisKey, value) => {
      const match = /^([^:]*):([A-Za-z0-9_-]{22}):([ps]):/.exec(value);
      if (match?.[1] !== FORMAT_VERSION || match[3] !== kind) return undefined;
      const body = value.slice(match[0].length);
      const json = sealKey ? open(sealKey, redisKey, body) : body;
      const token = json === undefined ? undefined : fromJson(json);
      // A fingerprint that does not match its token would make compare-and-delete miss it.
      return token !== undefined && fingerprint(token.accessToken) === match[2] ? token : undefined;
    },
  };
}
