import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { DPoPSession } from './dpop-nonces';
import type { Authorize } from './interceptors';

/** The URL a request goes to, as the proof's `htu` and the nonce's origin need it. */
function urlOf(instance: AxiosInstance, config: InternalAxiosRequestConfig): string {
  return instance.getUri(config);
}

/**
 * The DPoP scheme (RFC 9449 §7.1): `Authorization: DPoP <token>` and a fresh proof, with `ath`
 * and the origin's latest nonce, on every attempt. A token the server did not bind (`token_type`
 * Bearer, §5) goes as Bearer without a proof; a bound one is never sent as Bearer.
 */
export function dpopAuthorization(instance: AxiosInstance, { signer, nonces }: DPoPSession): Authorize {
  return (config, token) => {
    if (token.tokenType !== 'DPoP') {
      config.headers.set('Authorization', `Bearer ${token.accessToken}`);
      config.headers.delete('DPoP');
      return;
    }
    const url = urlOf(instance, config);
    const method = (config.method ?? 'get').toUpperCase();
    config.headers.set('Authorization', `DPoP ${token.accessToken}`);
    config.headers.set('DPoP', signer.proof(method, url, nonces.get(url), token.accessToken));
  };
}

/**
 * Remembers the `DPoP-Nonce` of every response (RFC 9449 §9) and answers whether this one carried
 * a nonce, so a `use_dpop_nonce` challenge may be met by one retry.
 */
export function dpopNonceTracker(
  instance: AxiosInstance,
  { nonces }: DPoPSession,
): (response: Pick<AxiosResponse, 'config' | 'headers'>) => boolean {
  return (response) => nonces.remember(urlOf(instance, response.config), response.headers);
}
