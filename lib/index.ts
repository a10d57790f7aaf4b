export { installClientCredentials } from './install';
export { MemoryTokenStore } from './stores/memory';
export { ClientCredentialsError, OAuth2Error, TokenRequestError } from './errors';

export type { ClientCredentialsOptions } from './options';
export type { ClientAuthMethod } from './client-auth';
export type { ClientCredentialsErrorCode } from './errors';
export type { AccessToken, ClientCredentialsHandle, TokenStore } from './types';
