/**
 * Every library in the peer benchmark, wired the way its own README shows, against the loopback
 * servers the harness hands over. Where a README leaves a choice open or shows something that
 * cannot work as printed, the comment says what was chosen and why; every such choice is the one
 * that favours the peer.
 */
import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { createAuthRefresh } from 'axios-auth-refresh';
import { clientCredentials } from 'axios-oauth-client';
import tokenProvider from 'axios-token-interceptor';
import { clientFactory, interceptorFactory, LockingTokenCache } from '@scienta/axios-oauth2';
import { installClientCredentials, MemoryTokenStore, type TokenStore } from '../../lib';
import { installHandWrittenInterceptor } from './hand-written';

export interface Wiring {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** What the READMEs call `axios.create()` for token requests; made by the harness so it can swap the adapter. */
  tokenClient: AxiosInstance;
  /** The API instance's settings: `baseURL`, and an adapter when the network is taken out. */
  apiDefaults: CreateAxiosDefaults;
  /** A store shared across processes, for the fleet scenario; only a library with a store interface can use it. */
  store?: TokenStore;
}

export interface Contender {
  /** A short stable id, the key in the JSON. */
  id: string;
  /** The name in the table and the chart. */
  label: string;
  /** The npm packages it consists of, for their versions. */
  packages: string[];
  /** Source of an entry module that imports what a user's code imports, for the size figure. */
  sizeEntry: string;
  create(wiring: Wiring): AxiosInstance;
}

interface TokenResponse {
  access_token: string;
  expires_in: number;
}

export const contenders: Contender[] = [
  {
    id: 'ours',
    label: 'axios-client-credentials',
    packages: ['axios-client-credentials'],
    sizeEntry: `export * from './lib/index';`,
    create: (w) => {
      const instance = axios.create(w.apiDefaults);
      installClientCredentials(instance, {
        tokenUrl: w.tokenUrl,
        clientId: w.clientId,
        clientSecret: w.clientSecret,
        tokenClient: w.tokenClient,
        // A store per contender instance, so runs do not share tokens; the default is process-wide.
        store: w.store ?? new MemoryTokenStore(),
      });
      return instance;
    },
  },
  {
    // axios-token-interceptor's README "Caching" section, with `getMaxAge` from `expires_in`, fed by
    // axios-oauth-client's README "Client Credentials grant" function.
    id: 'token-interceptor',
    label: 'axios-token-interceptor + axios-oauth-client',
    packages: ['axios-token-interceptor', 'axios-oauth-client'],
    sizeEntry: `export { default as tokenProvider } from 'axios-token-interceptor';\nexport { clientCredentials } from 'axios-oauth-client';`,
    create: (w) => {
      const instance = axios.create(w.apiDefaults);
      const getClientCredentials = clientCredentials(w.tokenClient, w.tokenUrl, w.clientId, w.clientSecret);
      const cache = tokenProvider.tokenCache(() => getClientCredentials(undefined) as Promise<TokenResponse>, {
        getMaxAge: (body) => body.expires_in * 1000,
      });
      instance.interceptors.request.use(
        tokenProvider({ getToken: cache, headerFormatter: (body) => 'Bearer ' + body.access_token }),
      );
      return instance;
    },
  },
  {
    // The same pair without `tokenCache`: axios-token-interceptor's "getToken can return a promise"
    // example, as people wire it when they skip the Caching section.
    id: 'token-interceptor-no-cache',
    label: 'the same, without tokenCache',
    packages: ['axios-token-interceptor', 'axios-oauth-client'],
    sizeEntry: `export { default as tokenProvider } from 'axios-token-interceptor';\nexport { clientCredentials } from 'axios-oauth-client';`,
    create: (w) => {
      const instance = axios.create(w.apiDefaults);
      const getClientCredentials = clientCredentials(w.tokenClient, w.tokenUrl, w.clientId, w.clientSecret);
      instance.interceptors.request.use(
        tokenProvider({
          getToken: () => (getClientCredentials(undefined) as Promise<TokenResponse>).then((body) => body.access_token),
        }),
      );
      return instance;
    },
  },
  {
    // axios-auth-refresh's README "Usage" and "Request interceptor" sections: a token in a variable
    // (the README's localStorage), a request interceptor that sends it, and createAuthRefresh() to
    // fetch a new one on a 401. The refresh call uses a separate instance (the README posts with the
    // intercepted `axios` itself and relies on the instance being paused meanwhile).
    id: 'auth-refresh',
    label: 'axios-auth-refresh',
    packages: ['axios-auth-refresh'],
    sizeEntry: `export { createAuthRefresh } from 'axios-auth-refresh';`,
    create: (w) => {
      const instance = axios.create(w.apiDefaults);
      let accessToken: string | null = null;
      const refreshAuthLogic = (failedRequest: { response: { config: { headers: Record<string, string> } } }) =>
        w.tokenClient
          .post<TokenResponse>(
            w.tokenUrl,
            new URLSearchParams({
              grant_type: 'client_credentials',
              client_id: w.clientId,
              client_secret: w.clientSecret,
            }),
          )
          .then((tokenRefreshResponse) => {
            accessToken = tokenRefreshResponse.data.access_token;
            failedRequest.response.config.headers['Authorization'] = 'Bearer ' + accessToken;
            return Promise.resolve();
          });
      createAuthRefresh(instance, refreshAuthLogic);
      instance.interceptors.request.use((request) => {
        request.headers['Authorization'] = `Bearer ${accessToken}`;
        return request;
      });
      return instance;
    },
  },
  {
    // @scienta/axios-oauth2's README "Client usage with token-caching interceptor". Two deviations,
    // both in the library's favour: the README passes the intercepted instance to clientFactory, so
    // the token request would pass through its own interceptor and wait on the cache's lock; here
    // the token client is a separate instance, as in the README's "Simple client usage". And the
    // README's `scope: 'baz'` is a string where the types (and the cache key code) want an array;
    // no scope is requested here, as for every contender.
    id: 'scienta',
    label: '@scienta/axios-oauth2',
    packages: ['@scienta/axios-oauth2'],
    sizeEntry: `export { clientFactory, interceptorFactory, LockingTokenCache } from '@scienta/axios-oauth2';`,
    create: (w) => {
      const instance = axios.create(w.apiDefaults);
      const client = clientFactory(w.tokenClient as never, {
        url: w.tokenUrl,
        grant_type: 'client_credentials',
        client_id: w.clientId,
        client_secret: w.clientSecret,
      });
      instance.interceptors.request.use(interceptorFactory(client, new LockingTokenCache()) as never);
      return instance;
    },
  },
  {
    id: 'hand-written',
    label: 'hand-written interceptor',
    packages: [],
    sizeEntry: `export * from './bench/peers/hand-written';`,
    create: (w) => {
      const instance = axios.create(w.apiDefaults);
      installHandWrittenInterceptor(instance, {
        tokenUrl: w.tokenUrl,
        clientId: w.clientId,
        clientSecret: w.clientSecret,
        tokenClient: w.tokenClient,
      });
      return instance;
    },
  },
];
