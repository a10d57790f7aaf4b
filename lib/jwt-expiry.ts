/**
 * The lifetime an access token that is a JWT states in its `exp` claim (RFC 7519 §4.1.4), in
 * milliseconds from `sentAt`, for a token response without `expires_in`, as httpx-auth does. The
 * token is decoded, never verified: the claim only sets when we renew, and the resource server
 * still judges the token. A token that is not a JWT, an `exp` that is not a number, one already
 * past, or one further than `maxLifetimeMs` ahead (a broken clock or claim) gives `undefined`, and
 * the default lifetime applies.
 */
export function jwtLifetimeMs(accessToken: string, sentAt: number, maxLifetimeMs: number): number | undefined {
  const parts = accessToken.split('.');
  if (parts.length !== 3 || parts[1] === '') return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const exp = (claims as { exp?: unknown } | null)?.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
  const lifetimeMs = exp * 1000 - sentAt;
  return lifetimeMs > 0 && lifetimeMs <= maxLifetimeMs ? lifetimeMs : undefined;
}
