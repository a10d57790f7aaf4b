// axios-token-interceptor 0.2 ships no types; these cover what its README uses.
declare module 'axios-token-interceptor' {
  import type { InternalAxiosRequestConfig } from 'axios';

  interface TokenProviderOptions<T> {
    token?: T;
    getToken?: () => T | Promise<T>;
    header?: string;
    headerFormatter?: (token: T) => string;
  }
  interface TokenCache<T> {
    (): Promise<T>;
    reset(): void;
  }
  interface TokenProvider {
    <T>(options: TokenProviderOptions<T>): (config: InternalAxiosRequestConfig) => Promise<InternalAxiosRequestConfig>;
    tokenCache<T>(
      getToken: () => Promise<T>,
      options: { maxAge?: number; getMaxAge?: (token: T) => number },
    ): TokenCache<T>;
  }
  const tokenProvider: TokenProvider;
  export = tokenProvider;
}
