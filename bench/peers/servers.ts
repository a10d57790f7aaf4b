/**
 * A loopback authorization server and resource server for the peer benchmark, one pair per
 * contender and scenario, so no library sees another's tokens or counts.
 *
 * Unlike spec/support/loopback.ts' scripted servers, the resource server here knows what the token
 * endpoint issued: it accepts only a token that was issued, has not expired (by the `expires_in`
 * it was issued with) and has not been revoked. That is what revocation and rollover need.
 */
import { startLoopbackServer, json, type LoopbackServer } from '../../spec/support/loopback';

export interface BenchServers {
  tokenUrl: string;
  apiUrl: string;
  /** Token requests received so far. */
  exchanges(): number;
  /** API requests received so far, and how many of them were answered 401. */
  apiCalls(): number;
  apiRejected(): number;
  /** Makes every token issued so far invalid at the resource server. */
  revokeAll(): void;
  close(): Promise<void>;
}

export interface BenchServerOptions {
  /** How long the token endpoint takes to answer, in milliseconds. */
  tokenDelayMs: number;
  /** The `expires_in` of every issued token, in seconds. */
  expiresInSeconds: number;
}

export async function startBenchServers(options: BenchServerOptions): Promise<BenchServers> {
  /** Access token → when it expires at the resource server, in epoch milliseconds. */
  const valid = new Map<string, number>();
  let issued = 0;
  let apiCalls = 0;
  let apiRejected = 0;

  // The servers keep no request log (startLoopbackServer's `requests`): a rollover run sends thousands.
  const token: LoopbackServer = await startLoopbackServer(async (_request, response) => {
    token.requests.length = 0;
    issued += 1;
    const accessToken = `peer-token-${issued}`;
    await new Promise((resolve) => setTimeout(resolve, options.tokenDelayMs));
    // Expiry counts from when the answer leaves, as a real server's clock would.
    valid.set(accessToken, Date.now() + options.expiresInSeconds * 1000);
    json(
      response,
      200,
      { access_token: accessToken, token_type: 'Bearer', expires_in: options.expiresInSeconds },
      { 'Cache-Control': 'no-store' },
    );
  });

  const api: LoopbackServer = await startLoopbackServer((request, response) => {
    apiCalls += 1;
    api.requests.length = 0;
    const match = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''));
    const expiresAt = match ? valid.get(match[1]!) : undefined;
    if (expiresAt !== undefined && Date.now() < expiresAt) return json(response, 200, { ok: true });
    apiRejected += 1;
    // RFC 6750 §3.1: a token that was sent and is not (or no longer) valid.
    const challenge = match ? 'Bearer error="invalid_token"' : 'Bearer realm="bench"';
    return json(response, 401, { ok: false }, { 'WWW-Authenticate': challenge });
  });

  return {
    tokenUrl: `${token.origin}/oauth/token`,
    apiUrl: api.origin,
    exchanges: () => issued,
    apiCalls: () => apiCalls,
    apiRejected: () => apiRejected,
    revokeAll: () => valid.clear(),
    close: async () => {
      await Promise.all([token.close(), api.close()]);
    },
  };
}
