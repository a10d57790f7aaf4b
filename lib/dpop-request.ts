import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { DPoPSigner } from './dpop';
import { DPoPNonces, nonceOf } from './dpop-nonces';
import { setAuthorization, type TokenScheme } from './token-scheme';
import { parseJsonObject } from './token-response';
import { dpopNonceRequested } from './www-authenticate';

const PROOF_HEADER = 'DPoP';

/** Whether a token endpoint answer is `400 use_dpop_nonce` (RFC 9449 §8). */
function asksForNonce(response: AxiosResponse<unknown>): boolean {
  return response.status === 400 && parseJsonObject(response.data)?.['error'] === 'use_dpop_nonce';
}

/**
 * The DPoP scheme (RFC 9449), one per installation: its key's thumbprint in the cache key, a
 * `token_type` of DPoP (or Bearer, §5: the server did not bind the token) accepted, a fresh proof
 * on every token request and API request, and the latest `DPoP-Nonce` of every answer, token
 * endpoint and resource servers alike, put in the next proof to that origin (§8, §9).
 *
 * @param instance The API instance: the URL of a request is what it sends, `baseURL` included.
 * @param now Wall-clock epoch milliseconds, which date the proofs: the installation's clock.
 */
export function dpopScheme(instance: AxiosInstance, signer: DPoPSigner, now: () => number = Date.now): TokenScheme {
  const nonces = new DPoPNonces();
  const urlOf = (config: InternalAxiosRequestConfig): string => instance.getUri(config);
  return {
    cacheKeyPart: ['dpop', signer.thumbprint],
    tokenType: (tokenType) => {
      const type = tokenType.toLowerCase();
      return type === 'dpop' ? 'DPoP' : type === 'bearer' ? 'Bearer' : undefined;
    },
    signTokenRequest: (headers, tokenUrl) => {
      headers[PROOF_HEADER] = signer.proof('POST', tokenUrl, nonces.get(tokenUrl), undefined, now());
    },
    // One more try only when the answer asks for it and brought a nonce to try with. The body is
    // built anew, so a client assertion gets a fresh jti (a reused one would be a replay).
    resendTokenRequest: (response, tokenUrl) => {
      const carriedNonce = nonces.remember(tokenUrl, response.headers);
      return carriedNonce && asksForNonce(response);
    },
    // §7.1: a bound token goes as `DPoP <token>` with a proof carrying `ath`; one the server did
    // not bind goes as Bearer without a proof, and a bound one is never sent as Bearer.
    authorize: (config, token) => {
      if (token.tokenType !== 'DPoP') {
        config.headers.delete(PROOF_HEADER);
        return setAuthorization(config.headers, `Bearer ${token.accessToken}`);
      }
      const url = urlOf(config);
      const method = (config.method ?? 'get').toUpperCase();
      config.headers.set(PROOF_HEADER, signer.proof(method, url, nonces.get(url), token.accessToken, now()));
      return setAuthorization(config.headers, `DPoP ${token.accessToken}`);
    },
    observe: (response) => {
      nonces.remember(urlOf(response.config), response.headers);
    },
    // §9: only a proof can carry the nonce, and only one that is new: a Bearer token sent again,
    // or a proof with no nonce to add, would meet the same answer.
    retryWithSameToken: (response, token) =>
      token.tokenType === 'DPoP' &&
      nonceOf(response.headers) !== undefined &&
      dpopNonceRequested(response.headers?.['www-authenticate']),
    credentialHeaders: [PROOF_HEADER],
  };
}
