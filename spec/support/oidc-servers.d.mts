// Types for oidc-servers.mjs (an in-process oidc-provider authorization server,
// resource server and admin API on loopback). See that file for the endpoints.

/** The servers' counters since start or the last {@link OidcServers.reset}. */
export interface OidcServerStats {
  /** POSTs to the token endpoint, whatever their outcome. */
  tokenRequests: number;
  /** Token endpoint answers with status 200. */
  tokenSuccesses: number;
  /** Token endpoint answers with any other status. */
  tokenFailures: number;
  /** Requests to the resource server. */
  apiRequests: number;
  /** Resource server answers with status 401. */
  apiUnauthorized: number;
}

/** Options of {@link startOidcServers}. */
export interface StartOidcServersOptions {
  /** oidc-provider client metadata objects (RFC 7591 names). Default is {@link DEFAULT_CLIENTS}. */
  clients?: readonly object[];
  /** Access token lifetime in seconds, a positive integer. Default is 3600 (1 hour). */
  tokenTtlSeconds?: number;
  /** Which servers require a DPoP nonce (RFC 9449 §8, §9). Default is neither. */
  dpop?: DPoPServerOptions;
  /**
   * Serve the provider and the API over HTTPS with this server certificate and ask every client
   * for a certificate (RFC 8705 mutual TLS: `tls_client_auth` checks it against `ca` and the
   * client's `tls_client_auth_subject_dn`, `self_signed_tls_client_auth` against its `jwks`;
   * tokens are certificate-bound). Default is plain HTTP.
   */
  tls?: { cert: string; key: string; ca: string };
}

/** The DPoP nonce requirements of {@link startOidcServers}. */
export interface DPoPServerOptions {
  /** The token endpoint answers `400 use_dpop_nonce` to a proof without its nonce. Default is `false`. */
  requireNonce?: boolean;
  /** The resource server answers `401` `DPoP error="use_dpop_nonce"` to a proof without its nonce. Default is `false`. */
  apiRequireNonce?: boolean;
}

/** The resource server's DPoP counters since start or the last reset. */
export interface DPoPServerStats {
  /** Proofs accepted. */
  proofs: number;
  /** Distinct `jti` values accepted since start (never reset). */
  distinctJti: number;
  /** 401 answers asking for the resource server's nonce. */
  nonceChallenges: number;
  /** Proofs rejected for any other reason. */
  rejected: number;
}

/** What {@link startOidcServers} returns. */
export interface OidcServers {
  /** `http://127.0.0.1:<port>` of the authorization server (`https:` with the `tls` option). */
  readonly issuer: string;
  /** The provider's token endpoint (`${issuer}/token`). */
  readonly tokenUrl: string;
  /** Resource server base URL, without trailing slash. Also a valid RFC 8707 `resource` (with or without `/`). */
  readonly apiUrl: string;
  /** Admin API base (`http://127.0.0.1:<port>/__admin`); no auth. */
  readonly adminUrl: string;
  /** A snapshot of the counters. */
  stats(): OidcServerStats;
  /** GETs of `/.well-known/*` (authorization server metadata) since start or the last {@link reset}. */
  discoveryStats(): { metadataRequests: number };
  /** The resource server's DPoP counters. */
  dpopStats(): DPoPServerStats;
  /** Zeroes the counters. */
  reset(): void;
  /** Destroys every access token issued so far; the API answers 401 to them afterwards. Returns how many were destroyed. */
  revokeAll(): number;
  /** Stops the three servers and destroys their open connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * demo-client/demo-secret (client_secret_basic) and post-client/post-secret (client_secret_post),
 * both allowed "invoices:read invoices:write reports:read".
 */
export declare const DEFAULT_CLIENTS: readonly object[];

/**
 * Starts the authorization server, the resource server and the admin API on 127.0.0.1 with
 * ephemeral ports, in this process. Never touches `console`, signals or stdin; oidc-provider may
 * print notices with `console.info`/`console.warn` while starting and serving.
 *
 * @throws {TypeError} When an option is invalid.
 * @throws {Error} When a client's metadata is invalid (`invalid client "<id>": <reason>`) or a
 *   server cannot listen. Whatever was started is closed first.
 */
export declare function startOidcServers(options?: StartOidcServersOptions): Promise<OidcServers>;
