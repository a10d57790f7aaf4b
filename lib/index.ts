export { installClientCredentials } from './install';
export { MemoryTokenStore, resetDefaultTokenStore } from './stores/memory';
export { ClientCredentialsError, DiscoveryError, OAuth2Error, TokenRequestError } from './errors';
export { CACHE_HIT_CHANNEL, EVENT_CHANNEL } from './channels';
export { clientAssertion } from './client-auth/assertion';
export { clientSecretBasic } from './client-auth/basic';
export { clientSecretJwt, privateKeyJwt } from './client-auth/jwt';
export { clientSecretPost } from './client-auth/post';
export { selfSignedTlsClientAuth, tlsClientAuth } from './client-auth/tls';

export type { CacheHitMessage } from './channels';
export type { ClientCredentialsOptions } from './options';
export type { ClientAuthMethod } from './client-auth';
export type { AssertionProvider } from './client-auth/assertion';
export type { BasicEncoding, ClientSecretBasicOptions } from './client-auth/basic';
export type { AssertionAudience, ClientSecretJwtOptions, PrivateKeyJwtOptions } from './client-auth/jwt';
export type { ClientSecretInput, SecretProvider } from './client-auth/secret-source';
export type { ClientAuth } from './client-auth/strategy';
export type {
  AsymmetricSigningAlgorithm,
  HmacSigningAlgorithm,
  PrivateKeyInput,
  SigningAlgorithm,
} from './client-auth/keys';
export type { TlsClientCertificate } from './client-auth/tls';
export type { DPoPKeyInput, DPoPKeyPair } from './dpop';
export type { ClientCredentialsErrorCode, DiscoveryErrorCode } from './errors';
export type { AccessToken, ClientCredentialsHandle, StoreLease, TokenStore, TokenType } from './types';
export type { TokenParameters } from './token-parameters';
export type { MemoryTokenStoreOptions } from './stores/memory';
export type {
  ClientCredentialsEvent,
  ClientCredentialsEventListener,
  ClientCredentialsStats,
  ErrorSummary,
  EventBase,
  EventListener,
  ExchangeEventBase,
  TokenSource,
} from './events';
