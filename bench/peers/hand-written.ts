/**
 * The interceptor people write by hand, as a reference point for the peer benchmark.
 *
 * Modelled on the pattern of the widely copied Stack Overflow answers and blog posts on "axios
 * interceptor client credentials" / "axios refresh token interceptor": the token and its expiry in
 * module variables, a request interceptor that fetches a token when there is none or it has
 * expired, and a response interceptor that drops the token on a 401 and replays the request once
 * (the `_retry` flag). It is written carefully (the token request goes through its own axios
 * instance, the replay is bounded) but, like its models, it has no single flight: every request
 * that finds no fresh token starts its own token request.
 *
 * docs/migrating-from-a-hand-written-interceptor.md shows this code as its "before".
 */
import type { AxiosError, AxiosInstance, InternalAxiosRequestConfig } from 'axios';

export interface HandWrittenOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** The axios instance that sends token requests (typically `axios.create()`). */
  tokenClient: AxiosInstance;
}

export function installHandWrittenInterceptor(instance: AxiosInstance, options: HandWrittenOptions): void {
  let accessToken: string | undefined;
  let expiresAt = 0;

  async function getToken(): Promise<string> {
    if (accessToken !== undefined && Date.now() < expiresAt) return accessToken;
    const { data } = await options.tokenClient.post<{ access_token: string; expires_in: number }>(
      options.tokenUrl,
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: options.clientId,
        client_secret: options.clientSecret,
      }),
    );
    accessToken = data.access_token;
    expiresAt = Date.now() + data.expires_in * 1000;
    return accessToken;
  }

  instance.interceptors.request.use(async (config) => {
    config.headers.Authorization = `Bearer ${await getToken()}`;
    return config;
  });

  instance.interceptors.response.use(undefined, async (error: AxiosError) => {
    const config = error.config as (InternalAxiosRequestConfig & { _retry?: boolean }) | undefined;
    if (error.response?.status !== 401 || config === undefined || config._retry) throw error;
    config._retry = true;
    accessToken = undefined;
    return instance(config);
  });
}
