import { originOf } from './origins';

/** The largest nonce kept: a server's nonce is an opaque short string, not a payload. */
const MAX_NONCE_LENGTH = 1024;

/** RFC 9449 §8.1: a nonce is `1*NQCHAR` (%x21 / %x23-5B / %x5D-7E). */
const NONCE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The latest `DPoP-Nonce` per origin (RFC 9449 §8, §9), from every response that carries one,
 * token endpoint and resource servers alike. Bounded by the origins a configuration talks to.
 */
export class DPoPNonces {
  readonly #byOrigin = new Map<string, string>();

  /** The nonce to put in the next proof for `url`, when the server gave one. */
  get(url: string): string | undefined {
    const origin = originOf(url);
    return origin === undefined ? undefined : this.#byOrigin.get(origin);
  }

  /**
   * Remembers the answer's `DPoP-Nonce` header, if it has a valid one: the one place nonces are
   * kept, for token endpoint and API answers alike.
   *
   * @returns Whether the answer carried a nonce.
   */
  remember(url: string, headers: unknown): boolean {
    const nonce = nonceOf(headers);
    if (nonce === undefined) return false;
    const origin = originOf(url);
    if (origin === undefined) return false;
    this.#byOrigin.set(origin, nonce);
    return true;
  }
}

/** An answer's valid `DPoP-Nonce`, if it has one. */
export function nonceOf(headers: unknown): string | undefined {
  const raw = (headers as { [name: string]: unknown } | undefined)?.['dpop-nonce'];
  const nonce = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  return typeof nonce === 'string' && nonce.length <= MAX_NONCE_LENGTH && NONCE.test(nonce) ? nonce : undefined;
}
